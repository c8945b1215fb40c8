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
    if "--help" in args or "--synthetic_items=300" in args:
        common = common[:1]
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
    assert os.path.exists(path[: -len(".keras")] + ".json")  # the results
    # The model alone: raw item ids in, raw item ids out.
    out = cli("recommend", f"--model={path}", "--items=1,2,3", "--k=3")
    assert out.returncode == 0, out.stderr[-2000:]
    # Data with another catalogue is refused, with a non-zero status.
    out = cli("evaluate", f"--model={path}", "--synthetic_items=300")
    assert out.returncode == 1 and "catalogue" in out.stderr


def test_help_and_arguments_checked_before_training(tmp_path):
    out = cli("--help")
    assert out.returncode == 0
    for command in ("train", "evaluate", "recommend"):
        assert command in out.stdout
    assert "absl" not in out.stdout
    out = cli("train", "--help")
    assert "--user_col" in out.stdout and "--checkpoint_dir" in out.stdout
    out = cli("train", "--epochs=0")
    assert out.returncode == 2 and "--epochs" in out.stderr
    missing = tmp_path / "nope" / "m.keras"
    out = cli("train", f"--output={missing}")
    assert out.returncode == 1 and "does not exist" in out.stderr
    assert "Epoch" not in out.stdout  # refused before training


def test_unknown_command_and_preset():
    out = cli("fly")
    assert out.returncode != 0 and "train" in out.stderr
    out = cli("train", "--preset=nope", "--epochs=1")
    assert out.returncode != 0 and "Known presets" in out.stderr
