"""benchmarks.runner: result files are strict JSON, written atomically,
carry their provenance, and are never reused for another configuration."""

import json

import pytest

from benchmarks import runner
from keras_rec_tx import datasets, preset_schema
from tests.benchmark_modules import ONCE

# The runner's bookkeeping does not depend on the backend: once, in the
# jax pass (each run trains a model, the slow part of this file).
pytestmark = ONCE

TINY = {"d_model": 8, "d_ff": 16, "max_len": 10}


@pytest.fixture(scope="module")
def data():
    return datasets.synthetic(num_users=60, num_items=20, seed=0)


def test_existing_result_is_reused_only_for_the_same_config(data, tmp_path):
    kwargs = dict(dataset="syn", seed=0, results_dir=tmp_path, overrides=TINY)
    path = runner.run_one("sasrec_plus", data, epochs=1, **kwargs)
    stored = json.loads(path.read_text())
    assert stored["data_fingerprint"] == runner.data_fingerprint(data)
    # Provenance, added by the runner around experiment.run.
    for key in ("date", "command", "machine", "peak_rss_mb", "wall_seconds"):
        assert key in stored, key
    assert not list(tmp_path.glob(".tmp-*"))  # atomic write left nothing
    mtime = path.stat().st_mtime_ns
    assert runner.run_one("sasrec_plus", data, epochs=1, **kwargs) == path
    assert path.stat().st_mtime_ns == mtime
    with pytest.raises(ValueError, match=r"another configuration.*epochs"):
        runner.run_one("sasrec_plus", data, epochs=2, **kwargs)
    other = datasets.synthetic(num_users=61, num_items=20, seed=0)
    with pytest.raises(ValueError, match="data_fingerprint"):
        runner.run_one("sasrec_plus", other, epochs=1, **kwargs)
    with pytest.raises(ValueError, match=r"overrides\['d_model'\]"):
        runner.run_one(
            "sasrec_plus",
            data,
            epochs=1,
            **{**kwargs, "overrides": {**TINY, "d_model": 16}},
        )


def test_legacy_file_without_fingerprint_is_compared_on_what_it_stores(
    tmp_path,
):
    path = tmp_path / "old.json"
    path.write_text(
        json.dumps(
            {
                "overrides": {"d_model": 8},
                "training_overrides": {},
                "training": {"epochs": 3, "early_stopping_patience": 5},
            }
        )
    )
    same = runner.run_config(overrides={"d_model": 8}, epochs=3)
    runner.check_existing(path, same)  # no fingerprint: not compared
    with pytest.raises(ValueError, match="patience: stored 5, now 6"):
        runner.check_existing(path, {**same, "patience": 6})


def test_file_of_another_budget_is_reused_only_if_it_replays(tmp_path):
    """A run made with another epoch cap or patience is the run asked for
    when early stopping, replayed on its validation history, stops within
    it at the same best epoch (`benchmarks.redefinition.replay`)."""
    stored = {
        "overrides": {},
        "training_overrides": {},
        "training": {
            "schedule": "cosine_restarts",
            "epochs": 150,
            "early_stopping_patience": 2,
        },
        "history": [{"val_ndcg@10": s} for s in (0.1, 0.3, 0.2, 0.25)],
        "epochs_run": 4,
        "best_epoch": 2,
    }
    path = tmp_path / "run.json"
    path.write_text(json.dumps(stored))
    runner.check_existing(path, runner.run_config(epochs=3, patience=3))
    runner.check_existing(path, runner.run_config(epochs=9, patience=1))
    for epochs, patience in ((10, 10), (1, 1)):  # longer; another best
        config = runner.run_config(epochs=epochs, patience=patience)
        with pytest.raises(ValueError, match="epochs: stored 150"):
            runner.check_existing(path, config)


def test_results_dir_is_checked_before_training(data, tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="`results_dir` must be a folder"):
        runner.run_one(
            "sasrec_plus",
            data,
            dataset="syn",
            seed=0,
            results_dir=tmp_path / "file",
        )


def test_non_finite_numbers_are_refused(tmp_path):
    with pytest.raises(ValueError, match="not JSON compliant"):
        runner.write_result(tmp_path / "r.json", {"ndcg@10": float("nan")})
    assert not list(tmp_path.iterdir())


def test_dataset_name_with_a_path_separator_is_refused(data, tmp_path):
    with pytest.raises(ValueError, match="`dataset` must be a string"):
        runner.run_one(
            "sasrec", data, dataset="a/b", seed=0, results_dir=tmp_path
        )


def test_file_of_an_earlier_preset_definition_is_not_reused(tmp_path):
    path = tmp_path / "old.json"
    stored = {"overrides": {}, "training_overrides": {}, "training": {}}
    recorded = preset_schema.resolve("sasrec_plus").architecture
    stored["architecture"] = {**recorded, "d_model": 32, "num_items": 7}
    path.write_text(json.dumps(stored))
    config = runner.run_config("sasrec_plus")
    with pytest.raises(ValueError, match="d_model: ran 32, preset now 64"):
        runner.check_existing(path, config)
    stored["architecture"]["d_model"] = 64  # num_items is the data's
    path.write_text(json.dumps(stored))
    runner.check_existing(path, config)


def test_checkpoint_folder_of_another_configuration_is_refused(tmp_path):
    config = runner.run_config(overrides={"d_model": 8}, epochs=2)
    first = runner._start_segment(tmp_path, config)
    again = runner._start_segment(tmp_path, config)
    assert [s["epochs_done"] for s in again] == [0, 0] and len(first) == 1
    other = runner.run_config(overrides={"d_model": 16}, epochs=2)
    with pytest.raises(ValueError, match="another configuration"):
        runner._start_segment(tmp_path, other)
