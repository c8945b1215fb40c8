"""Benchmarks of keras_rec_tx: suites, the runner, the report and probes."""
