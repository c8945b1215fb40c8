"""Benchmarks of keras_rec_tx: suites, the resumable runner, provenance,
the report and its scripts.

Not part of the library (nothing in `keras_rec_tx` imports it, and the
wheel does not ship it). Run its scripts from the repository root as
modules, e.g. `python -m benchmarks.run --list` or
`python -m benchmarks.report`.
"""
