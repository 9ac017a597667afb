"""Checking the checker: mutants of every step (the slips people make), an independent
equivalence filter, the mutants run through the normal checker, and their report.

May import the records, `checks`, `indices` and `run`; never a report of verify or the CLI.
"""
