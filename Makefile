# The README's verbs. Each target creates .venv and installs the project on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: verify test lint bench clean mutation

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

verify: $(STAMP)
	$(BIN)/derivcheck verify

mutation: $(STAMP)
	$(BIN)/derivcheck mutate

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check checker derivations tests
	$(BIN)/ruff format --check checker derivations tests

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache .hypothesis
