"""derivcheck in a user's repository, as a user runs it: the user's own derivations/ package,
[tool.derivcheck] in their pyproject.toml, --path with directories and several files, and
workers that import what the main process imported whatever the working directory holds."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from samples import SIGMOID_FILE, user_repository

import derivcheck as package
from derivcheck.cli import main
from derivcheck.sources.config import find_config

ROOT = Path(__file__).resolve().parents[1]
NAME = package.__name__  # the import name: a user's file of this name must not shadow it


@pytest.fixture(autouse=True)
def _forget_user_modules():
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if name.startswith("derivcheck_user_"):
            del sys.modules[name]


@pytest.fixture
def command(tmp_path_factory):
    """A `derivcheck` command like the installed console script: this checkout's package and
    nothing else of this repository on the path (not its derivations/)."""
    folder = tmp_path_factory.mktemp("bin")
    (folder / "lib").mkdir()
    (folder / "lib" / NAME).symlink_to(ROOT / "checker", target_is_directory=True)
    script = folder / "derivcheck"
    script.write_text(f"import sys\nfrom {NAME}.launch import main\nsys.exit(main())\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(folder / "lib")

    def run(*args, cwd):
        return subprocess.run(
            [sys.executable, str(script), *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    return run


def test_a_bare_verify_checks_the_users_configured_derivations_package(command, tmp_path):
    repo = user_repository(tmp_path / "repo", slip=True)
    failed = command("verify", cwd=repo)
    assert failed.returncode == 1, failed.stderr
    assert "user-tanh" in failed.stdout and "counterexample" in failed.stdout
    assert "2   1 - t^2 = (1 - t)(1 + t)" not in failed.stdout  # the slip, not the fix, was read
    user_repository(repo)  # the slip fixed
    passed = command("verify", cwd=repo)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "PASSED: 2 steps · 2 proved" in passed.stdout


def test_workers_ignore_a_file_named_like_derivcheck_in_the_working_directory(command, tmp_path):
    # Workers used to start with the working directory first on their path: this file (and a
    # user's own derivations/ package) replaced what the main process had imported.
    repo = user_repository(tmp_path / "repo", shadow=NAME)
    completed = command("verify", "--path", "derivations", cwd=repo)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "PASSED: 2 steps · 2 proved" in completed.stdout


def write(folder, name, source):
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return str(path)


def names_in(report_file):
    report = json.loads(Path(report_file).read_text(encoding="utf-8"))
    return [d["name"] for d in report["derivations"]], report


def test_path_takes_a_directory_and_several_files(tmp_path):
    first = write(tmp_path / "notes", "first.py", SIGMOID_FILE)
    second = write(tmp_path / "notes", "second.py", SIGMOID_FILE.replace("user-sigmoid", "two"))
    out = tmp_path / "r.json"
    args = ["--step", "1", "--format", "json", "-o", str(out)]
    assert main(["verify", "user-sigmoid", *args, "--path", first, second]) == 0
    assert names_in(out)[0] == ["user-sigmoid"]
    assert main(["verify", "two", *args, "--path", str(tmp_path / "notes")]) == 0
    assert names_in(out)[0] == ["two"]
    assert main(["list", "--path", str(tmp_path / "notes")]) == 0


def test_names_that_are_paths_are_paths(tmp_path, capsys):
    first = write(tmp_path, "first.py", SIGMOID_FILE)
    out = str(tmp_path / "r.json")
    assert main(["verify", "--path", first, "user-sigmoid", "--step", "1", "-o", out]) == 0
    assert main(["verify", f"{tmp_path}/missing.py", "user-sigmoid"]) == 2
    assert capsys.readouterr().err.endswith("/missing.py: no such file or directory\n")


def test_the_pyproject_table_gives_paths_seed_and_points(tmp_path, monkeypatch):
    write(tmp_path / "checks", "user.py", SIGMOID_FILE)
    write(
        tmp_path,
        "pyproject.toml",
        """
        [tool.derivcheck]
        paths = ["checks"]
        seed = 7
        points = 5
        """,
    )
    monkeypatch.chdir(tmp_path / "checks")  # found from a folder below, paths from its own
    out = tmp_path / "r.json"
    assert main(["verify", "--step", "1", "--format", "json", "-o", str(out)]) == 0
    names, report = names_in(out)
    assert names == ["user-sigmoid"] and (report["seed"], report["points"]) == (7, 5)
    assert main(["verify", "--step", "1", "--seed", "3", "-o", str(out)]) == 0
    assert names_in(out)[1]["seed"] == 3  # the command line wins


@pytest.mark.parametrize(
    "table, message",
    [
        ("paths = 3", "paths must be a list of files or directories, got 3"),
        ("point = 3", "has no key 'point'; known: paths, seed, points, timeout, strict"),
        ("points = 0", "points must be a positive integer, got 0"),
        ("timeout = -1", "timeout must be a number of seconds, got -1"),
        ("strict = 'yes'", "strict must be true or false, got 'yes'"),
        ("timeout = 1e9", "timeout must be at most 86400 seconds, got 1e+09"),
    ],
)
def test_a_bad_pyproject_table_is_a_usage_error_in_one_line(table, message, tmp_path, capsys):
    write(tmp_path, "user.py", SIGMOID_FILE)
    write(tmp_path, "pyproject.toml", f"[tool.derivcheck]\n{table}\n")
    os.chdir(tmp_path)
    try:
        assert main(["verify", "--path", "user.py"]) == 2
    finally:
        os.chdir(ROOT)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err


def test_nothing_to_check_says_what_to_write(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert find_config().paths == ()
    assert main(["verify"]) == 2
    err = capsys.readouterr().err
    assert "give --path FILE.py or DIRECTORY" in err and "[tool.derivcheck] paths = [" in err


def test_changed_files_check_only_derivation_modules(command, tmp_path):
    repo = user_repository(tmp_path / "repo", slip=True)
    nothing = command("verify", "-q", "--changed", "--path", "pyproject.toml", cwd=repo)
    assert nothing.returncode == 0 and "nothing to check" in nothing.stdout, nothing.stderr
    # a changed helper module stands for its package's derivations
    helper = command("verify", "-q", "--changed", "--path", "derivations/common.py", cwd=repo)
    assert helper.returncode == 1 and "counterexample" in helper.stdout, helper.stderr


def test_the_readme_example_over_n_and_d_is_proved(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Steps over other indices", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    path = write(tmp_path, "mse.py", code)
    out = tmp_path / "r.json"
    assert main(["verify", "--path", path, "--timeout", "120", "-o", str(out)]) == 0
    (step,) = names_in(out)[1]["derivations"][0]["steps"]
    assert step["proved_for_all"] and step["proof"]["sizes"] == "N, D"
