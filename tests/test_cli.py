"""The command line: train -> evaluate -> recommend on synthetic data."""

import json
import os
import pathlib
import subprocess
import sys

import keras
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "torch", reason="runs once, in the torch pass"
)


def cli(*args):
    env = dict(os.environ, KERAS_BACKEND=keras.backend.backend())
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    common = ["--synthetic_users=120", "--synthetic_items=400"]
    proc = subprocess.run(
        [sys.executable, "-m", "keras_rec_tx.cli", *args, *common],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return proc


def last_json(stdout: str) -> dict:
    """The last JSON object printed (the metrics after the fit logs)."""
    lines = stdout.splitlines()
    start = max(i for i, line in enumerate(lines) if line == "{")
    end = lines.index("}", start)
    return json.loads("\n".join(lines[start : end + 1]))


def test_train_evaluate_recommend(tmp_path):
    path = str(tmp_path / "m.keras")
    out = cli(
        "train",
        "--preset=sasrec",
        "--epochs=2",
        "--protocol=sampled-100",
        f"--output={path}",
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "ndcg@10" in out.stdout and os.path.exists(path)
    trained = last_json(out.stdout)
    out = cli("evaluate", f"--model={path}", "--protocol=sampled-100")
    assert out.returncode == 0, out.stderr[-2000:]
    # evaluate scores the saved model on the same test batches as train.
    evaluated = last_json(out.stdout)
    for metric in ("recall@10", "ndcg@10"):
        assert evaluated[metric] == pytest.approx(trained[metric], abs=1e-6)
    out = cli("recommend", f"--model={path}", "--user=3", "--k=4")
    assert out.returncode == 0, out.stderr[-2000:]
    assert len([ln for ln in out.stdout.splitlines() if ln.strip()]) >= 4


def test_unknown_command_and_preset():
    out = cli("fly")
    assert out.returncode != 0 and "train" in out.stderr
    out = cli("train", "--preset=nope", "--epochs=1")
    assert out.returncode != 0 and "Known presets" in out.stderr
