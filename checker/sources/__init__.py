"""Where derivations come from: the built-in derivation modules and a user's `--path` files.

May import the records only; never a check, the pool, a report or the CLI.
"""
