"""`experiment.run(checkpoint_dir=...)`: a run killed with SIGKILL and run
again resumes and ends with the metrics of an uninterrupted run; the
killed run goes through `benchmarks.runner.run_one(checkpoint_dir=...)`,
which records the processes that trained it.

Five subprocesses (tests/resume_child.py): runs once, under JAX only."""

import json
import os
import pathlib
import signal
import subprocess
import sys

import keras
import pytest

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "jax",
    reason="Subprocess test, backend-independent code: runs once (JAX).",
)

CHILD = pathlib.Path(__file__).with_name("resume_child.py")
ROOT = CHILD.parent.parent


def _child(checkpoint_dir, out, kill_at, *mode):
    env = dict(os.environ, KERAS_BACKEND="jax")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [
            sys.executable,
            str(CHILD),
            str(checkpoint_dir),
            str(out),
            kill_at,
            *mode,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_killed_run_resumes_to_the_same_metrics(tmp_path):
    whole = _child(tmp_path / "a", tmp_path / "a.json", "0")
    assert whole.returncode == 0, whole.stderr[-2000:]
    killed = _child(tmp_path / "b", tmp_path / "b.json", "3", "runner")
    assert killed.returncode == -signal.SIGKILL
    assert not (tmp_path / "b.json").exists()
    assert list((tmp_path / "b").glob("*/backup/training_metadata.json"))
    resumed = _child(tmp_path / "b", tmp_path / "b.json", "0", "runner")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "initial_epoch=3" in resumed.stdout
    a = json.loads((tmp_path / "a.json").read_text())
    b = json.loads((tmp_path / "b.json").read_text())
    assert b["epochs_run"] == a["epochs_run"] == 6
    assert b["best_epoch"] == a["best_epoch"]
    for row_a, row_b in zip(a["history"], b["history"], strict=True):
        for key in ("loss", "val_ndcg@10", "val_recall@10"):
            assert row_b[key] == pytest.approx(row_a[key], abs=1e-4)
    for key, value in a["test"].items():
        assert b["test"][key] == pytest.approx(value, abs=1e-4)
    assert b["resumable"] is True
    assert [s["epochs_done"] for s in b["segments"]] == [0, 3]
    assert all("matmul_probe_gflops" in s["machine"] for s in b["segments"])
    # The state is cleared once the result is written.
    assert not list((tmp_path / "b").iterdir())

    # Killed while writing the weights of epoch 4: it resumes from the
    # copy of epoch 3 (`double_checkpoint`) to the same metrics.
    killed = _child(tmp_path / "c", tmp_path / "c.json", "4")
    assert killed.returncode == -signal.SIGKILL
    latest = tmp_path / "c" / "backup" / "latest.weights.h5"
    latest.write_bytes(latest.read_bytes()[:100])
    resumed = _child(tmp_path / "c", tmp_path / "c.json", "0")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "initial_epoch=3" in resumed.stdout
    c = json.loads((tmp_path / "c.json").read_text())
    assert [row["val_ndcg@10"] for row in c["history"]] == pytest.approx(
        [row["val_ndcg@10"] for row in a["history"]], abs=1e-4
    )
    assert c["test"] == pytest.approx(a["test"], abs=1e-4)
