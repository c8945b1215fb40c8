"""`pip install .` (a real wheel, not editable) gives a working zoo, and no
licensed dataset file is packaged. Backend-independent: runs in the jax pass."""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import zipfile

import keras
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "jax", reason="runs once, in the jax pass"
)


def test_wheel_ships_presets_and_works(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path / "wheel"),
        ],
        check=True,
        timeout=600,
    )
    (wheel,) = (tmp_path / "wheel").glob("keras_rec_tx-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    presets = [n for n in names if n.startswith("keras_rec_tx/presets/")]
    assert "keras_rec_tx/presets/rope_swiglu.json" in presets
    # Every preset's generated results (a preset redefined since its last
    # runs has none until it is run again).
    results = sorted((ROOT / "zoo" / "results").glob("*.json"))
    assert results
    for path in results:
        assert f"keras_rec_tx/presets/results/{path.name}" in presets
    licensed = ("u.data", "u.item", "Video.txt", "Beauty.txt", "ratings.")
    assert not [n for n in names if any(x in n for x in licensed)]
    # benchmarks/ is a package of the repository, not of the wheel.
    assert not [n for n in names if n.startswith("benchmarks/")]
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        timeout=600,
    )
    env = dict(os.environ, PYTHONPATH=str(target))
    with_results = results[0].stem
    code = (
        "import keras_rec_tx as k, pathlib; "
        "assert 'site' in k.__file__, k.__file__; "
        "m = k.zoo.get('rope_swiglu', num_items=10, d_model=8); "
        f"assert k.zoo.describe({with_results!r})['results']; "
        "print(len(k.zoo.list()), m.position)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    stated = json.loads((ROOT / "zoo" / "rope_swiglu.json").read_text())
    assert out.stdout.split()[-1] == stated["architecture"]["position"]


def test_a_second_checkout_reads_its_own_presets(tmp_path):
    """A source checkout on PYTHONPATH (a git worktree of another branch)
    builds from its own zoo/, not from the editable install's."""
    checkout = tmp_path / "checkout"
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(
        ROOT / "keras_rec_tx", checkout / "keras_rec_tx", ignore=ignore
    )
    shutil.copytree(ROOT / "zoo", checkout / "zoo", ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", checkout)
    sasrec = json.loads((checkout / "zoo" / "sasrec.json").read_text())
    (checkout / "zoo" / "only_here.json").write_text(
        json.dumps({**sasrec, "name": "only_here"})
    )
    code = (
        "import keras_rec_tx as k; "
        "print(k.__file__, 'only_here' in k.zoo.list())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=dict(os.environ, PYTHONPATH=str(checkout)),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    module, found = out.stdout.split()[-2:]
    assert module.startswith(str(checkout)) and found == "True"
