"""derivcheck as a user installs it: the wheel built from the sdist, installed (not editable)
into a fresh virtual environment outside the checkout, run from a user's repository that has
its own derivations/ package: `derivcheck verify`, `pytest --derivcheck -n 2` and the
pre-commit hook fail it on a planted slip with the counterexample, and pass it once fixed.

The fresh environment takes derivcheck's dependencies (SymPy, JAX, ...) from this one through a
.pth file, so the test needs no network; DERIVCHECK_WHEEL_DEPS=index installs them from the
package index instead.
"""

import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from samples import user_repository

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def sh(*args, cwd=None, env=None, timeout=900):
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """The sdist, and the wheel built from it (as pip builds it), by `python -m build`."""
    pytest.importorskip("build")
    out = tmp_path_factory.mktemp("dist")
    built = sh(sys.executable, "-m", "build", "--outdir", out, ROOT)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return wheel, sdist


@pytest.fixture(scope="module")
def venv(dist, tmp_path_factory):
    """A fresh virtual environment outside the checkout with the wheel installed."""
    wheel, _ = dist
    folder = tmp_path_factory.mktemp("venv") / "venv"
    made = sh(sys.executable, "-m", "venv", folder, env=environment())
    assert made.returncode == 0, made.stderr
    python = folder / "bin" / "python"
    if os.environ.get("DERIVCHECK_WHEEL_DEPS") == "index":
        installed = sh(python, "-m", "pip", "install", "--quiet", wheel, "pytest-xdist",
                       env=environment())  # fmt: skip
    else:
        installed = sh(python, "-m", "pip", "install", "--no-deps", "--no-index", wheel,
                       env=environment())  # fmt: skip
        # then the dependencies, after the wheel: pip would take this environment's
        # derivcheck (an editable install) for the wheel's
        where = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
        purelib = Path(sh(python, "-c", where, env=environment()).stdout.strip())
        (purelib / "_derivcheck_test_deps.pth").write_text("\n".join(site.getsitepackages()))
    assert installed.returncode == 0, installed.stderr
    assert (folder / "bin" / "derivcheck").is_file(), installed.stdout
    return folder


def environment():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PYTEST"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def test_the_wheel_installs_one_import_name_with_every_module(dist):
    wheel, _ = dist
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"derivcheck", "derivcheck-0.1.0.dist-info"}
    modules = {
        f"derivcheck/{p.relative_to(ROOT / 'checker')}" for p in ROOT.glob("checker/**/*.py")
    }
    assert modules <= set(names), sorted(modules - set(names))
    entry_points = zipfile.ZipFile(wheel).read("derivcheck-0.1.0.dist-info/entry_points.txt")
    assert b"derivcheck = derivcheck.launch:main" in entry_points
    assert b"[pytest11]\nderivcheck = derivcheck.plugin" in entry_points


def test_pyproject_lists_every_folder_of_the_package():
    with open(ROOT / "pyproject.toml", "rb") as handle:
        packages = set(tomllib.load(handle)["tool"]["setuptools"]["packages"])
    folders = {
        ".".join(("derivcheck", *p.parent.relative_to(ROOT / "checker").parts))
        for p in ROOT.glob("checker/**/__init__.py")
    }
    assert packages == folders


def test_the_installed_command_checks_a_users_repository(venv, tmp_path):
    repo = user_repository(tmp_path / "repo", slip=True)
    derivcheck = venv / "bin" / "derivcheck"
    env = environment()
    help_text = sh(derivcheck, "--help", cwd=repo, env=env)
    assert help_text.returncode == 0 and "verify" in help_text.stdout, help_text.stderr
    theirs = sh(venv / "bin" / "python", "-c", "import derivations; print(derivations.__file__)",
                cwd=repo, env=env)  # fmt: skip
    assert theirs.stdout.strip() == str(repo / "derivations" / "__init__.py"), theirs.stderr
    folders = sorted(p.parent.name for p in ROOT.glob("*/__init__.py")
                     if not p.parent.is_symlink())  # checker, derivations  # fmt: skip
    find = "import importlib.util, sys; print([importlib.util.find_spec(n) for n in sys.argv[1:]])"
    ours = sh(venv / "bin" / "python", "-c", find, *folders, cwd=tmp_path, env=env)
    assert ours.stdout.strip() == str([None] * len(folders)), ours.stdout + ours.stderr
    for args in (["verify"], ["verify", "--path", "derivations/tanh_steps.py"]):
        failed = sh(derivcheck, *args, cwd=repo, env=env)
        assert failed.returncode == 1, failed.stdout + failed.stderr
        assert "refuted" in failed.stdout and "counterexample" in failed.stdout
    user_repository(repo)
    passed = sh(derivcheck, "verify", cwd=repo, env=env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    # The user's notes as they write them: a slip planted in the Markdown is refuted, with its
    # counterexample and the line it stands on; fixed, the notes pass.
    notes = repo / "notes.md"
    notes.write_text(USER_NOTES.replace("1 - t^2", "1 + t^2"), encoding="utf-8")
    failed = sh(derivcheck, "check", "notes.md", cwd=repo, env=env)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "refuted" in failed.stdout and "counterexample" in failed.stdout, failed.stdout
    assert "notes.md:11:" in failed.stdout, failed.stdout
    notes.write_text(USER_NOTES, encoding="utf-8")
    passed = sh(derivcheck, "check", "notes.md", cwd=repo, env=env)
    assert passed.returncode == 0, passed.stdout + passed.stderr


USER_NOTES = r"""# tanh

```derivcheck
name = "user-tanh-notes"
[symbols]
t = {}
[define]
t = "\\tanh x"
```

$$\frac{dt}{dx} = 1 - t^2$$
"""


def test_pytest_derivcheck_from_the_wheel_with_two_xdist_processes(venv, tmp_path):
    pytest.importorskip("xdist")
    repo = user_repository(tmp_path / "repo", slip=True)
    command = [venv / "bin" / "python", "-m", "pytest", "--derivcheck", "-n", "2", "-p",
               "no:cacheprovider"]  # fmt: skip
    failed = sh(*command, cwd=repo, env=environment())
    assert failed.returncode == 1, failed.stdout[-3000:]
    assert "derivations/tanh_steps.py::user-tanh::step-2" in failed.stdout
    assert "counterexample" in failed.stdout and "1 failed, 1 passed" in failed.stdout
    user_repository(repo)
    passed = sh(*command, cwd=repo, env=environment())
    assert passed.returncode == 0 and "2 passed" in passed.stdout, passed.stdout[-3000:]


def test_an_import_failure_inside_derivcheck_exits_3(dist, venv, tmp_path):
    wheel, _ = dist
    target = tmp_path / "site"
    python = venv / "bin" / "python"  # not this environment's: it may have derivcheck editable
    installed = sh(python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                   "--target", target, wheel, env=environment())  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    shutil.rmtree(target / "derivcheck" / "indices")  # a subpackage left out of the package
    env = environment()
    env["PYTHONPATH"] = str(target)
    broken = sh(python, target / "bin" / "derivcheck", "--help", cwd=tmp_path, env=env)
    assert broken.returncode == 3, broken.stdout + broken.stderr
    assert broken.stderr.startswith("derivcheck: internal error: derivcheck cannot import itself")
    assert "No module named 'derivcheck.indices'" in broken.stderr


def test_the_pre_commit_hook_refuses_a_broken_step_and_passes_a_good_one(tmp_path):
    pytest.importorskip("pre_commit")
    repo = user_repository(tmp_path / "repo", slip=True)
    env = environment()
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    assert sh("git", "init", "-q", cwd=repo).returncode == 0
    assert sh("git", "add", "-A", cwd=repo).returncode == 0
    hook = [sys.executable, "-m", "pre_commit", "try-repo", ROOT, "derivcheck", "--verbose"]
    refused = sh(*hook, cwd=repo, env=env, timeout=1800)
    assert refused.returncode == 1, refused.stdout[-3000:] + refused.stderr[-3000:]
    assert "counterexample" in refused.stdout and "user-tanh" in refused.stdout
    assert "Traceback" not in refused.stdout + refused.stderr
    user_repository(repo)
    assert sh("git", "add", "-A", cwd=repo).returncode == 0
    accepted = sh(*hook, cwd=repo, env=env, timeout=1800)
    assert accepted.returncode == 0, accepted.stdout[-3000:]
    assert "PASSED: 2 steps" in accepted.stdout
