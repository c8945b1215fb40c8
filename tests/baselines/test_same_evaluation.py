"""Baselines are scored by the models' own evaluation code."""

import numpy as np
import pytest
from keras import ops

import keras_rec_tx
from keras_rec_tx import baselines, experiment


class ModelScores(baselines.Baseline):
    """A 'baseline' whose scores are a trained-free model's scores."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def _fit(self, sequences):
        pass

    def _score(self, histories):
        hidden = self.model(histories, training=False)
        scores = self.model.score_hidden(hidden[:, -1, :])
        return np.asarray(ops.convert_to_numpy(scores), np.float64)


@pytest.fixture(scope="module")
def setup():
    data = keras_rec_tx.datasets.synthetic(num_users=120, num_items=600)
    train, valid, test = data.leave_one_out()
    model = keras_rec_tx.zoo.get(
        "sasrec", num_items=data.num_items, d_model=8, max_len=12
    )
    return data, train, valid, test, model


@pytest.mark.parametrize("protocol", ["full-loo", "sampled-100"])
def test_evaluate_equals_model_evaluate(setup, protocol):
    data, train, valid, test, model = setup
    _, test_batches = experiment.evaluation_batches(
        valid, test, protocol=protocol, seed=0, max_len=12
    )
    expected = model.evaluate(test_batches, return_dict=True, verbose=0)
    got = ModelScores(model).fit(train).evaluate(test_batches)
    assert set(got) == {"recall@10", "ndcg@10", "recall@50", "ndcg@50", "mrr"}
    for name, value in got.items():
        assert value == pytest.approx(expected[name], abs=1e-6), name
    # The split path builds the same batches (same max_len and seed).
    again = ModelScores(model).fit(train)
    again = again.evaluate(test, protocol=protocol, seed=1, max_len=12)
    assert again == pytest.approx(got, abs=1e-6)


@pytest.mark.parametrize("protocol", ["full", "sampled"])
def test_padding_rows_count_in_no_metric(setup, protocol):
    # The trainer pads the last evaluation batch (rows of target 0); a
    # baseline scores them as a model does: not at all.
    data, train, valid, test, model = setup
    pop = baselines.MostPopular().fit(train)
    kwargs = dict(batch_size=32, max_len=12, protocol=protocol)
    plain = test.batches(**kwargs)
    padded = test.batches(pad_last_batch=True, **kwargs)
    assert len(plain[len(plain) - 1][1]) < len(padded[len(padded) - 1][1])
    assert pop.evaluate(padded) == pytest.approx(pop.evaluate(plain))


def test_sampled_protocol_ranks_the_models_candidates(setup):
    # MostPopular under sampled-100 by hand from the same candidates.
    data, train, valid, test, model = setup
    pop = baselines.MostPopular().fit(train)
    batches = test.batches(protocol="sampled", seed=1, max_len=50)
    ranks = []
    for i in range(len(batches)):
        x, y = batches[i]
        s = pop.counts[x["candidates"]]
        ranks += list((s[:, 1:] >= s[:, :1]).sum(axis=1))  # ties pessimistic
    got = pop.evaluate(test, protocol="sampled-100", seed=1)
    assert got["recall@10"] == pytest.approx(np.mean(np.less(ranks, 10)))
    assert got["mrr"] == pytest.approx(np.mean(1 / (np.array(ranks) + 1)))
    # Whole-history default: the candidates do not depend on max_len.
    assert got == pytest.approx(
        pop.evaluate(test, protocol="sampled-100", seed=1, max_len=3)
    )


def test_float64_order_survives_float32_metrics():
    # Scores 1 + 1e-9 apart merge in float32; the metrics still see them
    # apart: evaluate shifts each row by its target score first.
    class Close(baselines.Baseline):
        def _fit(self, sequences):
            pass

        def _score(self, histories):
            n = self.num_items + 1
            return np.tile(1.0 + 1e-9 * np.arange(n), (len(histories), 1))

    data = keras_rec_tx.datasets.synthetic(num_users=60, num_items=40)
    train, valid, test = data.leave_one_out()
    model = Close().fit(train)
    m = model.evaluate(test)
    x, y = test.batches(batch_size=1000, max_len=1000)[0]
    scores = model.score(x["item_ids"])
    np.put_along_axis(scores, x["item_ids"].astype(int), -np.inf, axis=1)
    scores[:, 0] = -np.inf
    target = np.take_along_axis(scores, y[:, None].astype(int), axis=1)
    # Ties pessimistic (a target in the history is -inf like the rest).
    rank = (scores > target).sum(axis=1) + (scores == target).sum(axis=1) - 1
    assert m["mrr"] == pytest.approx(np.mean(1 / (rank + 1)), abs=1e-6)
