"""End to end on each backend: synthetic data -> zoo preset -> fit ->
evaluate -> recommend, and the quickstart script."""

import os
import pathlib
import subprocess
import sys

import keras
import numpy as np
import pytest

import keras_rec_tx as krt

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_rope_swiglu_learns_planted_structure():
    data = krt.datasets.synthetic(
        num_users=300, num_items=60, mean_length=15, seed=0
    )
    train, valid, test = data.leave_one_out()
    model = krt.zoo.get(
        "rope_swiglu",
        num_items=data.num_items,
        d_model=32,
        d_ff=64,
        max_len=16,
        dropout=0.1,
        compile=False,
    )
    model.compile(optimizer=keras.optimizers.Adam(5e-3))
    history = model.fit(
        train.batches(batch_size=32, max_len=16, bucketing=False),
        validation_data=valid.batches(max_len=16, bucketing=False),
        epochs=5,
        verbose=0,
    )
    losses = history.history["loss"]
    assert losses[-1] < 0.8 * losses[0]
    assert "val_recall@10" in history.history
    metrics = model.evaluate(
        test.batches(max_len=16, bucketing=False), return_dict=True, verbose=0
    )
    assert metrics["recall@10"] >= 0.9, metrics
    assert metrics["ndcg@10"] <= metrics["recall@10"]
    histories = [data.sequence(u) for u in range(5)]
    ids, scores = model.recommend(histories, k=10)
    assert ids.shape == (5, 10)
    for row, history in zip(ids, histories):
        assert not set(row.tolist()) & set(np.asarray(history).tolist())


def test_quickstart_runs():
    env = dict(os.environ, KERAS_BACKEND=keras.backend.backend())
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "quickstart.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    # The model's test metrics next to the two baselines':
    table = proc.stdout[proc.stdout.index("recall@10") :]
    for row in ("rope_swiglu", "most_popular", "markov"):
        assert row in table
    assert f"backend: {keras.backend.backend()}" in proc.stdout


@pytest.mark.skipif(
    keras.backend.backend() != "jax",
    reason="once per suite: it trains, exports and serves in subprocesses",
)
def test_end_to_end_example_runs(tmp_path):
    """examples/end_to_end.py: DataFrame -> fit -> save -> load ->
    recommend_users -> export -> served by a process without the package."""
    env = dict(os.environ, KERAS_BACKEND="jax")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "end_to_end.py"),
            f"--output={tmp_path}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "served == recommend: ok" in proc.stdout
    assert "served top-10 for c-0: ['sku-" in proc.stdout
    assert (tmp_path / "served" / "saved_model.pb").is_file()
