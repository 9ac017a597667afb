"""The `derivcheck` command: a derivcheck that cannot import itself (a broken install) exits 3,
internal error, not 1, which a CI gate reads as "a step failed"."""

import sys


def main() -> int:
    try:
        from .cli import main as cli_main
    except Exception as error:  # ModuleNotFoundError from a package installed without a part
        print(
            f"derivcheck: internal error: derivcheck cannot import itself "
            f"({type(error).__name__}: {error}); reinstall it, e.g. `pip install --force-reinstall "
            "derivcheck`",
            file=sys.stderr,
        )
        return 3
    return cli_main()
