"""Renderers: pure functions from a finished Report to text, rich tables, JSON, HTML, JUnit,
Markdown and GitHub annotations. They format; they never compute a verdict.

May import the records only (derivcheck.model, derivcheck.results); never a check, the pool or
the CLI.
"""
