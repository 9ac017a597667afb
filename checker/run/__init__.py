"""Running claims: the public API (`verify_step`, `verify_derivations`) and the pool of killable
worker processes that check each claim under its time limit.

May import the records, `checks` and `indices`; never a report or the CLI.
"""
