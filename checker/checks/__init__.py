"""The checks of one claim: prepare it (definitions, validation), draw points in its domains,
then the symbolic, numeric and autodiff checks, and the verdict (`engine`).

May import the records (derivcheck.model, derivcheck.results, derivcheck.functions); never a
report, the worker pool, the mutation harness or the CLI.
"""
