"""keras_rec_tx.experiment.run: the routine behind every benchmark."""

import os

import keras
import pytest

from keras_rec_tx import datasets, experiment

TINY = {"d_model": 8, "d_ff": 16, "max_len": 10}


@pytest.fixture(scope="module")
def data():
    return datasets.synthetic(num_users=120, num_items=30, seed=0)


def test_result_records_run(data):
    result, model = experiment.run(
        "sasrec_plus", data, epochs=2, seed=3, overrides=TINY
    )
    assert result["epochs_run"] == 2
    assert [row["epoch"] for row in result["history"]] == [1, 2]
    assert result["best_epoch"] in (1, 2)
    assert result["seed"] == 3
    assert result["backend"] == keras.backend.backend()
    assert result["stopped_by_time_limit"] is False
    assert 0.0 <= result["test"]["ndcg@10"] <= result["test"]["recall@10"]
    assert result["real_tokens_per_second"] > 0
    assert model.count_params() == result["num_params"]
    # Provenance (machine, date, command) is the benchmark runner's.
    assert "machine" not in result and "date" not in result
    if hasattr(os, "sched_getaffinity"):
        cpus = len(os.sched_getaffinity(0))
        # CPU time of the fit per wall second: positive, at most the CPUs.
        assert 0.0 < result["fit_cpu_per_wall_second"] <= 1.05 * cpus


def test_time_limit_stops_after_first_epoch(data):
    result, _ = experiment.run(
        "sasrec_plus", data, epochs=50, time_limit_s=1e-6, overrides=TINY
    )
    assert result["epochs_run"] == 1
    assert result["stopped_by_time_limit"] is True
    assert result["time_limit_s"] == 1e-6
    assert "ndcg@10" in result["test"]


def test_unknown_protocol(data):
    with pytest.raises(ValueError, match="protocol"):
        experiment.run("sasrec_plus", data, protocol="sampled-50")


def test_training_overrides_reach_batches_and_model(data):
    result, model = experiment.run(
        "sasrec",
        data,
        epochs=1,
        patience=7,
        overrides={**TINY, "norm_position": "sasrec"},
        training_overrides={"bucketing": False},
    )
    assert result["training"]["bucketing"] is False
    assert result["training"]["early_stopping_patience"] == 7
    assert result["architecture"]["norm_position"] == "sasrec"
    assert model.backbone.blocks[0].norm_position == "sasrec"
    assert 0.0 <= result["test"]["ndcg@10"] <= 1.0


def test_ema_weights_are_validated_and_restored(data):
    """With `ema_momentum`, validation scores the averaged weights, and the
    model returned holds the averaged weights of the best epoch."""
    kwargs = dict(epochs=3, batch_size=16, patience=10, overrides=TINY)
    flat = {"bucketing": False}  # one padded length: fewer compiles
    plain, _ = experiment.run(
        "sasrec_plus", data, training_overrides=flat, **kwargs
    )
    result, model = experiment.run(
        "sasrec_plus",
        data,
        training_overrides={**flat, "ema_momentum": 0.8},
        **kwargs,
    )
    assert model.optimizer.use_ema
    plain_scores = [row["val_ndcg@10"] for row in plain["history"]]
    ema_scores = [row["val_ndcg@10"] for row in result["history"]]
    assert plain_scores != ema_scores
    _, valid, test = data.leave_one_out()
    valid_batches, _ = experiment.evaluation_batches(
        valid,
        test,
        protocol="full-loo",
        seed=0,
        max_len=TINY["max_len"],
        bucketing=False,
    )
    rescored = model.evaluate(valid_batches, return_dict=True, verbose=0)
    assert rescored["ndcg@10"] == pytest.approx(
        result["best_val_ndcg@10"], abs=1e-6
    )


def test_zero_is_not_unset_and_arguments_are_checked(data):
    # `patience=0` is kept (not replaced by the preset's 10).
    result, _ = experiment.run(
        "sasrec_plus", data, epochs=1, patience=0, overrides=TINY
    )
    assert result["training"]["early_stopping_patience"] == 0
    for kwargs, error, match in [
        ({"epochs": 0}, ValueError, "`epochs` must be an integer >= 1"),
        ({"batch_size": True}, TypeError, "`batch_size` must be an integer"),
        ({"validate_every": 0}, ValueError, "`validate_every` must be"),
        ({"max_len": 2.5}, TypeError, "`max_len` must be an integer"),
        ({"time_limit_s": 0}, ValueError, "`time_limit_s` must be"),
        ({"seed": -1}, ValueError, "`seed` must be an integer >= 0"),
        ({"overrides": "d_model=8"}, TypeError, "`overrides` must be a dict"),
    ]:
        with pytest.raises(error, match=match):
            experiment.run("sasrec_plus", data, **kwargs)
    with pytest.raises(TypeError, match="`data` must be"):
        experiment.run("sasrec_plus", [[1, 2, 3]])


def test_checkpoint_dir_is_checked_before_training(data, tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="`checkpoint_dir` must be a folder"):
        experiment.run("sasrec_plus", data, checkpoint_dir=tmp_path / "file")


def test_diverged_training_stops_and_is_flagged(data):
    with pytest.warns(RuntimeWarning, match="Training diverged"):
        result, _ = experiment.run(
            "sasrec_plus",
            data,
            epochs=3,
            overrides=TINY,
            # Finite (an infinite rate is refused up front), but so large
            # that the first steps overflow.
            training_overrides={"learning_rate": 1e30},
        )
    assert result["diverged"] is True
    assert "loss became nan" in result["error"]
    assert result["epochs_run"] < 3  # stopped early
    # No NaN or inf anywhere: the result file is strict JSON.
    import json

    json.dumps(result, allow_nan=False)
    assert result["non_finite"]
    for name in ("recall@10", "ndcg@10", "mrr"):
        value = result["test"][name]
        assert value is None or 0.0 <= value <= 1.0
