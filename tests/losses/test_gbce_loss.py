import numpy as np
import pytest
from keras import ops

from keras_rec_tx.losses import BCELoss, GBCELoss
from tests.losses.references import masked_mean, random_inputs, softplus

N = 9


def np_gbce(hidden, targets, table, negatives, beta):
    positive = (hidden * table[targets]).sum(-1)
    if negatives.ndim == 1:
        negative = hidden @ table[negatives].T
    else:  # (B, L, k): one set per position
        negative = np.einsum("bld,blkd->blk", hidden, table[negatives])
    # -(beta * log sigmoid(s+)) - sum log(1 - sigmoid(s-)), over k + 1.
    per_position = beta * softplus(-positive) + softplus(negative).sum(-1)
    per_position = per_position / (negatives.shape[-1] + 1)
    return masked_mean(per_position, targets != 0)


def test_beta():
    # alpha = k / (N - 1)
    assert GBCELoss(N, num_negatives=4, t=0.0).beta == pytest.approx(1.0)
    assert GBCELoss(N, num_negatives=4, t=1.0).beta == pytest.approx(0.5)
    alpha = 4 / 8
    expected = alpha * (0.75 * (1 - 1 / alpha) + 1 / alpha)
    assert GBCELoss(N, num_negatives=4).beta == pytest.approx(expected)
    assert expected == pytest.approx(0.625)


@pytest.mark.parametrize("t", [0.0, 0.75, 1.0])
def test_matches_numpy(t):
    hidden, targets, table = random_inputs()
    negatives = np.array([2, 5, 5, 9], "int32")
    layer = GBCELoss(N, num_negatives=4, t=t, share_negatives="batch")
    loss = layer(hidden, targets, table, negatives=negatives)
    expected = np_gbce(hidden, targets, table, negatives, layer.beta)
    np.testing.assert_allclose(float(loss), expected, rtol=1e-5)


def test_t0_one_negative_is_half_bce():
    hidden, targets, table = random_inputs(seed=1)
    gbce = GBCELoss(N, num_negatives=1, t=0.0, share_negatives="batch")
    g = gbce(hidden, targets, table, negatives=np.array([4]))
    b = BCELoss(N)(hidden, targets, table, negatives=np.full_like(targets, 4))
    np.testing.assert_allclose(float(g), float(b) / 2, rtol=1e-5)


def test_uniform_negatives_in_range_and_seeded():
    layer = GBCELoss(N, num_negatives=500, seed=2, share_negatives="batch")
    draws = ops.convert_to_numpy(layer.sample_negatives())
    assert draws.shape == (500,)
    assert set(np.unique(draws)) == set(range(1, N + 1))


def test_per_position_negatives_by_default_match_numpy():
    hidden, targets, table = random_inputs(seed=3)
    layer = GBCELoss(N, num_negatives=3, seed=0)
    assert layer.share_negatives == "position"  # as the reference code
    drawn = ops.convert_to_numpy(
        layer.sample_negatives(ops.convert_to_tensor(targets))
    )
    assert drawn.shape == (*targets.shape, 3)
    assert drawn.min() >= 1 and drawn.max() <= N
    assert len({tuple(row) for row in drawn.reshape(-1, 3)}) > 1
    loss = layer(hidden, targets, table, negatives=drawn)
    expected = np_gbce(hidden, targets, table, drawn, layer.beta)
    np.testing.assert_allclose(float(loss), expected, rtol=1e-5)
    # Drawn inside the call when not given: a finite scalar.
    assert np.isfinite(float(layer(hidden, targets, table)))


def test_per_sequence_negatives_match_numpy():
    hidden, targets, table = random_inputs(seed=4)
    layer = GBCELoss(N, num_negatives=2, share_negatives="sequence", seed=1)
    drawn = ops.convert_to_numpy(
        layer.sample_negatives(ops.convert_to_tensor(targets))
    )
    assert drawn.shape == (targets.shape[0], 2)
    loss = layer(hidden, targets, table, negatives=drawn)
    per_position = np.broadcast_to(
        drawn[:, None, :], (*targets.shape, 2)
    ).copy()
    expected = np_gbce(hidden, targets, table, per_position, layer.beta)
    np.testing.assert_allclose(float(loss), expected, rtol=1e-5)


def test_per_position_sampling_needs_targets():
    with pytest.raises(ValueError, match="needs `targets`"):
        GBCELoss(N, num_negatives=2).sample_negatives()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"t": 1.5},
        {"t": -0.1},
        {"num_negatives": 0},
        {"num_items": 1},
        {"share_negatives": "user"},
    ],
)
def test_bad_arguments(kwargs):
    kwargs = {"num_items": N, **kwargs}
    with pytest.raises(ValueError, match="Received"):
        GBCELoss(**kwargs)
