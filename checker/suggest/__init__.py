"""Suggestions: for a refuted line, the nearest line one edit away that the checker proves.

May import the records, `checks`, `indices`, `run` (the worker pool) and `mutation` (its
operators and its independent comparison); never a report or the CLI.
"""
