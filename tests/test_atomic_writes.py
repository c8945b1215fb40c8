"""Every file the package, the benchmarks and the examples write appears
whole or not at all (`keras_rec_tx.utils.atomic_write_text` /
`atomic_path`): a killed run never leaves half a result file.

Read from the source with `ast`: a call that writes a file in place
(`Path.write_text`/`write_bytes`, `open(..., "w")`, matplotlib's
`savefig`) outside an `atomic_path` block is an error, unless listed below
with the reason it is safe. Backend-independent: runs in the jax pass."""

import ast
import pathlib

from tests.benchmark_modules import ONCE

ROOT = pathlib.Path(__file__).resolve().parent.parent
FOLDERS = ("keras_rec_tx", "benchmarks", "examples")

# (file, function or "<module>") -> why writing in place is safe there.
ALLOWED = {
    ("keras_rec_tx/datasets/download.py", "download"): "a .part, renamed",
    ("keras_rec_tx/experiment.py", "writable_dir"): "an empty probe",
    ("keras_rec_tx/serving/_artifacts.py", "_write_json"): (
        "into export's temporary folder, moved whole"
    ),
    ("benchmarks/run.py", "run_parallel"): "a run's log, written as it goes",
    ("benchmarks/data_pipeline.py", "_reset_peak_rss"): "/proc/self",
    ("benchmarks/scale.py", "reset_peak"): "/proc/self",
    ("benchmarks/recbole_sasrec.py", "write_atomic_inter"): (
        "RecBole's input, in a temporary folder"
    ),
    ("benchmarks/recbole_sasrec.py", "write"): "a temporary file, replaced",
}


def _writes_in_place(node: ast.Call) -> bool:
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in (
        "write_text",
        "write_bytes",
        "savefig",
    ):
        return True
    if isinstance(func, ast.Name) and func.id == "open":
        modes = node.args[1:2]  # open(file, mode)
    elif isinstance(func, ast.Attribute) and func.attr == "open":
        modes = node.args[:1]  # Path.open(mode)
    else:
        return False
    modes += [k.value for k in node.keywords if k.arg == "mode"]
    return any(
        isinstance(m, ast.Constant) and set(str(m.value)) & set("wax")
        for m in modes
    )


def _in_atomic_block(parents: list[ast.AST]) -> bool:
    """Inside `with atomic_path(...) as tmp:`."""
    for node in parents:
        if isinstance(node, ast.With):
            for item in node.items:
                call = item.context_expr
                if isinstance(call, ast.Call):
                    name = getattr(call.func, "id", None) or getattr(
                        call.func, "attr", None
                    )
                    if name == "atomic_path":
                        return True
    return False


def _visit(node, parents, function, found, rel):
    """Adds `(rel, function)` for each in-place write under `node`."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        function = node.name
    if (
        isinstance(node, ast.Call)
        and _writes_in_place(node)
        and not _in_atomic_block(parents)
    ):
        found.add((rel, function))
    for child in ast.iter_child_nodes(node):
        _visit(child, parents + [node], function, found, rel)


def _in_place_writes() -> set[tuple[str, str]]:
    found = set()
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            rel = path.relative_to(ROOT).as_posix()
            _visit(tree, [], "<module>", found, rel)
    return found


@ONCE
def test_files_are_written_atomically():
    found = _in_place_writes()
    assert found, "the scan found no write at all: it is broken"
    unexplained = sorted(found - set(ALLOWED))
    assert not unexplained, (
        "write through keras_rec_tx.utils.atomic_write_text / atomic_path, "
        f"or list the reason here: {unexplained}"
    )
    stale = sorted(set(ALLOWED) - found)
    assert not stale, f"listed but no longer writing in place: {stale}"
