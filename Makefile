# The README's verbs. Each target creates .venv and installs the project on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CATALOGUE := $(sort $(wildcard catalogue/*.md))

.PHONY: verify test lint bench clean browser-check mutation

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The derivation modules, then the notes and the catalogue as written, in one run (NOTES_ARGS:
# options for that run).
verify: $(STAMP)
	$(BIN)/derivcheck verify $(VERIFY_ARGS)
	$(BIN)/derivcheck check notes/softmax_notes.md $(CATALOGUE) $(NOTES_ARGS)

# The derivation modules, then the notes and the catalogue as written (hours: see the README).
# Both halves run whatever the first finds; the target fails if either does.
mutation: $(STAMP)
	$(BIN)/derivcheck mutate; modules=$$?; \
	$(BIN)/derivcheck mutate notes/softmax_notes.md $(CATALOGUE); notes=$$?; \
	test $$modules -eq 0 && test $$notes -eq 0

test: $(STAMP)
	$(BIN)/python -m pytest -q

# The HTML report in headless Chromium (Debian's package, installed here if missing); the
# screenshot is the README's.
browser-check: $(STAMP)
	test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium)
	$(BIN)/derivcheck verify -o report.html || [ $$? -eq 1 ]
	$(BIN)/python tests/browser_check.py report.html docs/report.png

bench: $(STAMP)
	$(BIN)/python bench/bench.py

lint: $(STAMP)
	$(BIN)/ruff check checker derivations tests bench
	$(BIN)/ruff format --check checker derivations tests bench

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache .hypothesis
