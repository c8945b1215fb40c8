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
    if hasattr(os, "sched_getaffinity"):
        cpus = result["machine"]["cpus_available"]
        assert cpus >= 1
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
    kwargs = dict(epochs=4, batch_size=16, patience=10, overrides=TINY)
    plain, _ = experiment.run("sasrec_plus", data, **kwargs)
    result, model = experiment.run(
        "sasrec_plus",
        data,
        training_overrides={"ema_momentum": 0.8},
        **kwargs,
    )
    assert model.optimizer.use_ema
    plain_scores = [row["val_ndcg@10"] for row in plain["history"]]
    ema_scores = [row["val_ndcg@10"] for row in result["history"]]
    assert plain_scores != ema_scores
    _, valid, test = data.leave_one_out()
    valid_batches, _ = experiment.evaluation_batches(
        valid, test, protocol="full-loo", seed=0, max_len=TINY["max_len"]
    )
    rescored = model.evaluate(valid_batches, return_dict=True, verbose=0)
    assert rescored["ndcg@10"] == pytest.approx(
        result["best_val_ndcg@10"], abs=1e-6
    )
