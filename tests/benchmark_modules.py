"""Loads scripts of benchmarks/ as modules for the tests of their helpers.

The benchmark scripts are backend-independent (numpy, absl), so their
tests run once, in the KERAS_BACKEND=jax pass (`ONCE`)."""

import importlib.util
import os
import pathlib
import sys

import pytest

BENCHMARKS = pathlib.Path(__file__).resolve().parent.parent / "benchmarks"

ONCE = pytest.mark.skipif(
    os.environ.get("KERAS_BACKEND") != "jax",
    reason="backend-independent: runs once, in the KERAS_BACKEND=jax pass",
)


def load(name: str):
    """Imports benchmarks/`name`.py (its folder on the path, for the
    modules it imports) and returns the module."""
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location(
        name, BENCHMARKS / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
