import keras
import numpy as np
import pytest

from keras_rec_tx import metrics

C = 16
# Scores fall with the index, so the label is the zero-based rank.
SCORES = np.tile(-np.arange(C, dtype="float32"), (4, 1))
RANKS = np.array([0, 3, 9, 10])


def _values(metric_cls, k, ranks):
    ranks = np.asarray(ranks, "float64")
    if metric_cls is metrics.RecallAtK:
        return (ranks < k).astype("float64")
    if metric_cls is metrics.NDCGAtK:
        return np.where(ranks < k, 1.0 / np.log2(ranks + 2), 0.0)
    return 1.0 / (ranks + 1)


def _make(metric_cls, k=10):
    return metric_cls() if metric_cls is metrics.MRR else metric_cls(k=k)


ALL = [metrics.RecallAtK, metrics.NDCGAtK, metrics.MRR]


@pytest.mark.parametrize("metric_cls", ALL)
def test_hand_computed_and_k_boundary(metric_cls):
    m = _make(metric_cls, k=10)
    m.update_state(RANKS, SCORES)
    expected = _values(metric_cls, 10, RANKS).mean()
    np.testing.assert_allclose(float(m.result()), expected, rtol=1e-6)
    if metric_cls is not metrics.MRR:
        # Rank 9 is inside k=10, rank 10 is not.
        inside, outside = _make(metric_cls, k=10), _make(metric_cls, k=10)
        inside.update_state([9], SCORES[:1])
        outside.update_state([10], SCORES[:1])
        assert float(inside.result()) > 0.0
        assert float(outside.result()) == 0.0


def test_exact_values():
    recall, ndcg, mrr = (
        metrics.RecallAtK(10),
        metrics.NDCGAtK(10),
        metrics.MRR(),
    )
    for m in (recall, ndcg, mrr):
        m.update_state(RANKS, SCORES)
    assert float(recall.result()) == pytest.approx(0.75)
    assert float(ndcg.result()) == pytest.approx(
        (1 + 1 / np.log2(5) + 1 / np.log2(11)) / 4
    )
    assert float(mrr.result()) == pytest.approx(
        (1 + 1 / 4 + 1 / 10 + 1 / 11) / 4
    )


def test_ties_and_minus_inf():
    scores = np.array(
        [[1.0, 1.0, 1.0, 1.0], [-np.inf, 0.0, 2.0, -np.inf]], "float32"
    )
    m = metrics.RecallAtK(k=1)
    m.update_state(np.array([0, 2]), scores)
    # Constant row: pessimistic rank 3; second row: target on top.
    assert float(m.result()) == pytest.approx(0.5)
    mrr = metrics.MRR()
    mrr.update_state(np.array([0, 0]), scores)
    assert float(mrr.result()) == pytest.approx((1 / 4 + 1 / 4) / 2)


@pytest.mark.parametrize("metric_cls", ALL)
def test_sample_weight_accumulation_and_reset(metric_cls):
    m = _make(metric_cls, k=5)
    weights = np.array([1.0, 0.0, 2.0, 1.0], "float32")
    m.update_state(RANKS, SCORES, sample_weight=weights)
    m.update_state(RANKS[:2], SCORES[:2])
    values = np.concatenate(
        [_values(metric_cls, 5, RANKS), _values(metric_cls, 5, RANKS[:2])]
    )
    w = np.concatenate([weights, [1.0, 1.0]])
    np.testing.assert_allclose(
        float(m.result()), (values * w).sum() / w.sum(), rtol=1e-6
    )
    m.reset_state()
    assert float(m.result()) == 0.0


def test_names_alias_and_errors():
    assert metrics.RecallAtK(5).name == "recall@5"
    assert metrics.NDCGAtK().name == "ndcg@10"
    assert metrics.MRR().name == "mrr"
    assert metrics.RecallAtK(5, name="hr@5").name == "hr@5"
    assert metrics.HitRateAtK is metrics.RecallAtK
    # Out of range: ValueError; not an integer: TypeError (utils.validation).
    for bad, error in ((0, ValueError), (-1, ValueError), (2.5, TypeError)):
        with pytest.raises(error, match="Received: k="):
            metrics.RecallAtK(bad)
        with pytest.raises(error, match="Received: k="):
            metrics.NDCGAtK(bad)
    with pytest.raises(TypeError, match="Received: k="):
        metrics.RecallAtK(True)


@pytest.mark.parametrize("metric_cls", ALL)
def test_serialization_round_trip(metric_cls):
    m = _make(metric_cls, k=3)
    config = keras.saving.serialize_keras_object(m)
    assert config["registered_name"].startswith("keras_rec_tx>")
    restored = keras.saving.deserialize_keras_object(config)
    assert type(restored) is metric_cls
    assert restored.get_config() == m.get_config()
    restored.update_state(RANKS, SCORES)
    m.update_state(RANKS, SCORES)
    assert float(restored.result()) == pytest.approx(float(m.result()))


def test_against_keras_rs():
    keras_rs = pytest.importorskip("keras_rs")
    rng = np.random.default_rng(0)
    batch, num = 8, 20
    scores = rng.normal(size=(batch, num)).astype("float32")  # no ties
    y = rng.integers(0, num, size=batch)
    dense = np.eye(num, dtype="float32")[y]
    pairs = [
        (metrics.RecallAtK(5), keras_rs.metrics.RecallAtK(k=5)),
        (metrics.NDCGAtK(5), keras_rs.metrics.NDCG(k=5)),
        (metrics.MRR(), keras_rs.metrics.MeanReciprocalRank()),
    ]
    for ours, theirs in pairs:
        ours.update_state(y, scores)
        theirs.update_state(dense, scores)
        np.testing.assert_allclose(
            float(ours.result()), float(theirs.result()), rtol=1e-5
        )


def test_compiled_evaluate():
    inputs = keras.Input((C,))
    model = keras.Model(inputs, keras.layers.Identity()(inputs))
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[metrics.RecallAtK(10), metrics.NDCGAtK(10), metrics.MRR()],
    )
    logs = model.evaluate(
        SCORES, RANKS, batch_size=3, return_dict=True, verbose=0
    )
    for name, cls in [
        ("recall@10", metrics.RecallAtK),
        ("ndcg@10", metrics.NDCGAtK),
        ("mrr", metrics.MRR),
    ]:
        expected = _values(cls, 10, RANKS).mean()
        assert logs[name] == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("metric_cls", ALL)
def test_diverged_scores_count_as_misses(metric_cls):
    # A NaN or +inf target score is a miss (0), never a perfect score, and
    # NaN scores of other items rank above the target.
    scores = np.array(
        [
            [np.nan] * 4,
            [np.nan, 1.0, 2.0, 3.0],
            [0.0, 1.0, 2.0, np.inf],
            [np.nan, np.nan, np.nan, 1.0],
        ],
        "float32",
    )
    m = _make(metric_cls, k=10)
    m.update_state([1, 0, 3, 3], scores)
    result = float(m.result())
    assert np.isfinite(result)
    expected = _values(metric_cls, 10, [3])[0] / 4  # only row 4 scores
    assert result == pytest.approx(expected)
