"""The diagnostic scripts of benchmarks/: valid_test_gap.py (why test
metrics sit below validation), cold_inputs.py (histories ending in items
unseen in training) and the writer they share."""

import json
import os

import numpy as np
import pytest

from benchmarks import cold_inputs, diagnostics, valid_test_gap
from tests.benchmark_modules import ONCE

pytestmark = ONCE


def test_write_adds_date_and_command(tmp_path, monkeypatch):
    monkeypatch.setattr(diagnostics, "DIAGNOSTICS", tmp_path / "diag")
    path = diagnostics.write("x__games", {"users": 3})
    assert path == tmp_path / "diag" / "x__games.json"
    written = json.loads(path.read_text())
    assert written["users"] == 3
    assert written["date"].startswith("20") and "command" in written


def test_cold_rates_count_items_missing_from_training():
    sequences = [
        np.array([1, 2, 3, 4]),  # train 1 2, valid 3, test 4
        np.array([1, 2, 5, 6]),  # train 1 2, valid 5, test 6
        np.array([3, 1, 2, 1]),  # train 3 1, valid 2, test 1
        np.array([7, 8]),  # too short to evaluate
    ]
    popularity, _ = valid_test_gap.counts(sequences, drop_last=2)
    assert popularity[5] == 0 and popularity[3] == 1
    rates = valid_test_gap.cold_rates(sequences, popularity)
    # Cold valid targets: 5 (user 2); 3 and 2 occur in training.
    assert rates["valid"]["cold_target"] == pytest.approx(1 / 3)
    assert rates["valid"]["cold_newest_input"] == 0.0
    # Cold test targets: 4 and 6; the test input's newest item is the
    # validation target, cold for user 2.
    assert rates["test"]["cold_target"] == pytest.approx(2 / 3)
    assert rates["test"]["cold_newest_input"] == pytest.approx(1 / 3)


def test_drop_items_removes_unseen_ids_and_left_pads_again():
    keep = np.array([True, True, False, True, False])
    rows = np.array([[0, 1, 2, 3], [0, 0, 0, 2], [4, 2, 1, 4], [3, 3, 1, 1]])
    out = cold_inputs.drop_items(rows, keep)
    assert out.tolist() == [
        [0, 0, 1, 3],
        [0, 0, 0, 2],  # nothing left: the row is kept as it was
        [0, 0, 0, 1],
        [3, 3, 1, 1],  # nothing to drop
    ]
    assert rows.tolist()[0] == [0, 1, 2, 3]  # the input is not modified


@pytest.mark.skipif(
    os.environ.get("KERAS_REC_TX_SLOW_TESTS") != "1",
    reason="three evaluating processes (about 3 minutes of the CI budget); "
    "tests/models/test_cross_backend.py already checks that a model saved "
    "on one backend scores alike on the others. KERAS_REC_TX_SLOW_TESTS=1 "
    "runs it.",
)
def test_cross_backend_eval_scores_one_saved_model_everywhere(
    tmp_path, monkeypatch
):
    from benchmarks import cross_backend_eval

    monkeypatch.setattr(diagnostics, "DIAGNOSTICS", tmp_path / "diag")
    path = cross_backend_eval.compare(
        "synthetic",
        str(tmp_path),
        seed=1,
        epochs=1,
        synthetic_users=200,
        # A small model and two bucket lengths: few programs to compile in
        # this process and in the three evaluating ones.
        overrides={"d_model": 8, "d_ff": 16, "max_len": 8},
    )
    written = json.loads(path.read_text())
    assert sorted(written["test_of_saved_model"]) == [
        "jax",
        "tensorflow",
        "torch",
    ]
    assert written["epochs_run"] == 1 and written["seed"] == 1
    # The same saved weights score the same test batches alike everywhere.
    for metric, difference in written["largest_difference"].items():
        assert difference < 1e-4, metric
