"""The library is free of its benchmark faces: `import keras_rec_tx`
defines no absl flag and loads no benchmark code, and no module of
keras_rec_tx imports `benchmarks` or absl (at any level, lazily
included). Keras itself loads `absl.flags` (through `absl.logging`), so
the subprocess check compares the flags defined with Keras' own."""

import ast
import json
import pathlib
import subprocess
import sys

import pytest

from tests.benchmark_modules import ONCE

ROOT = pathlib.Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "keras_rec_tx").rglob("*.py"))


def imported_modules(tree):
    """Top-level names of every module `tree` imports, anywhere."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.level == 0:
                yield node.module.split(".")[0]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_module_imports_benchmarks_or_absl(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = set(imported_modules(tree)) & {"benchmarks", "absl"}
    assert not bad, f"{path} imports {bad}"


@ONCE
def test_import_defines_no_flags_and_loads_no_benchmarks():
    code = (
        "import json, sys, keras; from absl import flags; "
        "before = set(flags.FLAGS); import keras_rec_tx; "
        "print(json.dumps({'flags': sorted(set(flags.FLAGS) - before), "
        "'benchmarks': sorted(m for m in sys.modules "
        "if m.split('.')[0] == 'benchmarks')}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert loaded == {"flags": [], "benchmarks": []}
