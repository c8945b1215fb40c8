"""`ONCE`: the mark of tests of benchmarks/ helpers.

The benchmark scripts are backend-independent (numpy, absl), so their
tests run once, in the KERAS_BACKEND=jax pass. They import the scripts as
the package they are (`from benchmarks import report`)."""

import os

import pytest

ONCE = pytest.mark.skipif(
    os.environ.get("KERAS_BACKEND") != "jax",
    reason="backend-independent: runs once, in the KERAS_BACKEND=jax pass",
)
