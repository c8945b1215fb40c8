"""The import rules of ARCHITECTURE.md, read from the source with `ast`.

Each part of `keras_rec_tx` may import only the parts listed for it (and
any third-party module); a new edge either belongs in the table (and in
ARCHITECTURE.md) or is a layering mistake. Backend-independent: runs in
the jax pass only."""

import ast
import collections
import pathlib

from tests.benchmark_modules import ONCE

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "keras_rec_tx"

BASICS = {"utils"}
ALLOWED = {
    "utils": set(),
    "layers": BASICS,
    "losses": BASICS,
    "metrics": BASICS,
    "regularizers": BASICS,
    "schedules": BASICS,
    "data": BASICS,
    "datasets": BASICS | {"data"},
    # `SequentialRecommender.export` hands over to keras_rec_tx.serving
    # (a lazy import inside the method); nothing else goes upwards.
    "models": BASICS
    | {"layers", "losses", "metrics", "regularizers", "schedules", "serving"},
    "serving": BASICS | {"models"},
    "baselines": BASICS | {"data", "metrics"},
    "preset_schema": BASICS | {"layers"},
    "zoo": BASICS | {"models", "preset_schema", "schedules"},
    "experiment": BASICS | {"zoo", "data", "datasets", "metrics", "models"},
    "trainer": BASICS | {"zoo", "data", "baselines", "experiment"},
    "cli": BASICS | {"zoo", "data", "datasets", "experiment"},
}


def _imports() -> dict[str, set[str]]:
    """Part of keras_rec_tx -> the other parts its files import."""
    edges = collections.defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        part = rel.parts[0] if len(rel.parts) > 1 else rel.stem
        if part == "__init__":
            continue  # the package's public surface imports every part
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
                if node.module == "keras_rec_tx":
                    names = [f"keras_rec_tx.{a.name}" for a in node.names]
            for name in names:
                top = name.split(".")
                if top[0] == "benchmarks":
                    edges[part].add("benchmarks")
                if top[0] == "keras_rec_tx" and len(top) > 1:
                    if top[1] != part:
                        edges[part].add(top[1])
    return edges


@ONCE
def test_each_part_imports_only_what_it_may():
    edges = _imports()
    assert set(edges) <= set(ALLOWED), sorted(set(edges) - set(ALLOWED))
    wrong = {
        part: sorted(targets - ALLOWED[part])
        for part, targets in edges.items()
        if targets - ALLOWED[part]
    }
    assert not wrong, f"imports against ARCHITECTURE.md: {wrong}"


@ONCE
def test_models_never_import_data_and_nothing_imports_benchmarks():
    edges = _imports()
    assert not edges["models"] & {"data", "datasets"}
    assert not [part for part, t in edges.items() if "benchmarks" in t]
