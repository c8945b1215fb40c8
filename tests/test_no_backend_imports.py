"""No module of keras_rec_tx imports tensorflow, jax or torch at top level."""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "keras_rec_tx"
FORBIDDEN = {"tensorflow", "jax", "jaxlib", "torch", "keras_hub", "keras_nlp"}


def module_level_imports(tree):
    """Imports not nested in a function or class body."""
    for node in tree.body:
        stack = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if isinstance(current, ast.ClassDef):
                continue
            if isinstance(current, ast.Import):
                for alias in current.names:
                    yield alias.name.split(".")[0]
            elif isinstance(current, ast.ImportFrom) and current.module:
                yield current.module.split(".")[0]
            stack.extend(ast.iter_child_nodes(current))


FILES = sorted(PACKAGE.rglob("*.py"))


def test_files_found():
    assert len(FILES) > 10


@pytest.mark.parametrize(
    "path", FILES, ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_no_backend_import(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = set(module_level_imports(tree)) & FORBIDDEN
    assert not bad, f"{path} imports {bad} at module level"
