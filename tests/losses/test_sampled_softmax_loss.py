import numpy as np
import pytest
from keras import ops

from keras_rec_tx.losses import FullSoftmaxLoss, SampledSoftmaxLoss
from tests.losses.references import logsumexp, masked_mean, random_inputs

N = 9


def np_sampled(hidden, targets, table, negatives, log_q=None, hits=True):
    positive = (hidden * table[targets]).sum(-1)
    negative = hidden @ table[negatives].T
    if log_q is not None:
        positive = positive - log_q[targets]
        negative = negative - log_q[negatives]
    if hits:
        negative = np.where(targets[..., None] == negatives, -1e9, negative)
    logits = np.concatenate([positive[..., None], negative], -1)
    return masked_mean(logsumexp(logits) - positive, targets != 0)


@pytest.mark.parametrize("logq", [True, False])
@pytest.mark.parametrize("hits", [True, False])
def test_uniform_matches_numpy(logq, hits):
    hidden, targets, table = random_inputs()
    negatives = np.array([1, 4, 4, 7, 9], "int32")
    layer = SampledSoftmaxLoss(
        N, num_negatives=5, logq_correction=logq, remove_accidental_hits=hits
    )
    loss = layer(hidden, targets, table, negatives=negatives)
    log_q = np.full(N + 1, -np.log(N)) if logq else None
    expected = np_sampled(hidden, targets, table, negatives, log_q, hits)
    np.testing.assert_allclose(float(loss), expected, rtol=1e-5)


def test_popularity_logq_matches_numpy():
    hidden, targets, table = random_inputs(seed=1)
    counts = np.array([0, 50, 20, 10, 5, 5, 4, 3, 2, 1])
    layer = SampledSoftmaxLoss(N, num_negatives=4, sampling="popularity")
    layer.set_item_counts(counts)
    negatives = np.array([1, 1, 2, 9], "int32")
    loss = layer(hidden, targets, table, negatives=negatives)
    log_q = np.log(np.concatenate([[1.0], counts[1:] / counts[1:].sum()]))
    expected = np_sampled(hidden, targets, table, negatives, log_q)
    np.testing.assert_allclose(float(loss), expected, rtol=1e-5)


def test_all_items_as_negatives_is_full_softmax():
    hidden, targets, table = random_inputs(seed=2)
    layer = SampledSoftmaxLoss(N, num_negatives=N, logq_correction=False)
    every_item = np.arange(1, N + 1, dtype="int32")
    sampled = layer(hidden, targets, table, negatives=every_item)
    full = FullSoftmaxLoss()(hidden, targets, table)
    np.testing.assert_allclose(float(sampled), float(full), rtol=1e-5)


def test_accidental_hit_contributes_nothing():
    rng = np.random.default_rng(3)
    hidden = rng.normal(size=(1, 1, 4)).astype("float32")
    table = rng.normal(size=(N + 1, 4)).astype("float32")
    targets = np.array([[3]], "int32")
    layer = SampledSoftmaxLoss(N, num_negatives=2)
    with_hit = layer(hidden, targets, table, negatives=np.array([3, 5]))
    without = layer(hidden, targets, table, negatives=np.array([5]))
    np.testing.assert_allclose(float(with_hit), float(without), rtol=1e-6)
    keep = SampledSoftmaxLoss(N, num_negatives=2, remove_accidental_hits=False)
    kept = keep(hidden, targets, table, negatives=np.array([3, 5]))
    assert float(kept) > float(without) + 1e-3


def test_uniform_logq_is_a_constant_shift():
    hidden, targets, table = random_inputs(seed=4)
    a = SampledSoftmaxLoss(N, num_negatives=6, seed=1)
    b = SampledSoftmaxLoss(N, num_negatives=6, seed=1, logq_correction=False)
    np.testing.assert_allclose(
        float(a(hidden, targets, table)),
        float(b(hidden, targets, table)),
        rtol=1e-5,
    )


def test_popularity_sampling_frequencies():
    layer = SampledSoftmaxLoss(
        4, num_negatives=4000, sampling="popularity", seed=0
    )
    layer.set_item_counts(np.array([1000, 70, 20, 10, 0]))
    draws = ops.convert_to_numpy(layer.sample_negatives())
    assert draws.shape == (4000,)
    assert draws.min() >= 1 and draws.max() <= 4
    freq = np.bincount(draws, minlength=5)[1:] / 4000
    np.testing.assert_allclose(freq, [0.7, 0.2, 0.1, 0.0], atol=0.03)


def test_negatives_change_and_are_reproducible():
    a = SampledSoftmaxLoss(1000, num_negatives=8, seed=7)
    b = SampledSoftmaxLoss(1000, num_negatives=8, seed=7)
    a1, a2 = (ops.convert_to_numpy(a.sample_negatives()) for _ in range(2))
    b1, b2 = (ops.convert_to_numpy(b.sample_negatives()) for _ in range(2))
    assert not np.array_equal(a1, a2)
    np.testing.assert_array_equal(a1, b1)
    np.testing.assert_array_equal(a2, b2)
    assert a1.min() >= 1 and a1.max() <= 1000


def test_set_item_counts_errors():
    uniform = SampledSoftmaxLoss(4)
    with pytest.raises(ValueError, match="popularity"):
        uniform.set_item_counts(np.ones(5))
    pop = SampledSoftmaxLoss(4, sampling="popularity")
    with pytest.raises(ValueError, match="shape"):
        pop.set_item_counts(np.ones(4))
    with pytest.raises(ValueError, match="non-negative"):
        pop.set_item_counts(np.array([0, 1, -1, 1, 1]))


@pytest.mark.parametrize(
    "kwargs",
    [{"num_negatives": 0}, {"sampling": "zipf"}, {"num_items": 0}],
)
def test_bad_arguments(kwargs):
    kwargs = {"num_items": 5, **kwargs}
    with pytest.raises(ValueError, match="Received"):
        SampledSoftmaxLoss(**kwargs)


def test_per_sequence_negatives_match_numpy():
    hidden, targets, table = random_inputs()
    rng = np.random.default_rng(5)
    negatives = rng.integers(1, N + 1, size=(len(targets), 4)).astype("int32")
    negatives[0, 0] = targets[0, -1]  # an accidental hit
    layer = SampledSoftmaxLoss(
        N, num_negatives=4, share_negatives="sequence", sampling="popularity"
    )
    counts = np.arange(N + 1, dtype="float64")
    layer.set_item_counts(counts)
    loss = layer(hidden, targets, table, negatives=negatives)
    log_q = np.concatenate([[0.0], np.log(counts[1:] / counts[1:].sum())])
    expected = []
    for b in range(len(targets)):
        rows = slice(b, b + 1)
        expected.append(
            np_sampled(hidden[rows], targets[rows], table, negatives[b], log_q)
        )
    weights = (targets != 0).sum(1)
    np.testing.assert_allclose(
        float(loss), np.average(expected, weights=weights), rtol=1e-5
    )
    drawn = layer.sample_negatives(ops.convert_to_tensor(targets))
    assert tuple(drawn.shape) == (len(targets), 4)
    with pytest.raises(ValueError, match="share_negatives"):
        SampledSoftmaxLoss(N, share_negatives="user")


def test_per_position_negatives_match_numpy():
    hidden, targets, table = random_inputs(seed=6)
    rng = np.random.default_rng(6)
    shape = (*targets.shape, 3)
    negatives = rng.integers(1, N + 1, size=shape).astype("int32")
    negatives[0, -1, 1] = targets[0, -1]  # an accidental hit
    layer = SampledSoftmaxLoss(N, num_negatives=3, share_negatives="position")
    loss = layer(hidden, targets, table, negatives=negatives)
    positive = (hidden * table[targets]).sum(-1)
    negative = np.einsum("bld,blkd->blk", hidden, table[negatives])
    negative = np.where(targets[..., None] == negatives, -1e9, negative)
    logits = np.concatenate([positive[..., None], negative], -1)
    expected = masked_mean(logsumexp(logits) - positive, targets != 0)
    np.testing.assert_allclose(float(loss), expected, rtol=1e-5)
    drawn = ops.convert_to_numpy(
        layer.sample_negatives(ops.convert_to_tensor(targets))
    )
    assert drawn.shape == shape
    assert drawn.min() >= 1 and drawn.max() <= N
    # Positions draw different sets.
    assert len({tuple(row) for row in drawn.reshape(-1, 3)}) > 1


def test_per_position_dense_and_gather_paths_agree():
    hidden, targets, table = random_inputs(seed=7)
    rng = np.random.default_rng(7)
    negatives = rng.integers(1, N + 1, size=(*targets.shape, 4))
    layer = SampledSoftmaxLoss(N, num_negatives=4, share_negatives="position")
    args = [ops.convert_to_tensor(a) for a in (hidden, table)]
    negatives = ops.convert_to_tensor(negatives.astype("int32"))
    dense, _ = layer.negative_logits(*args, negatives, dense=True)
    gather, _ = layer.negative_logits(*args, negatives, dense=False)
    expected = np.einsum(
        "bld,blkd->blk", hidden, table[ops.convert_to_numpy(negatives)]
    )
    np.testing.assert_allclose(ops.convert_to_numpy(dense), expected, rtol=1e-5)
    np.testing.assert_allclose(
        ops.convert_to_numpy(gather), expected, rtol=1e-5
    )
