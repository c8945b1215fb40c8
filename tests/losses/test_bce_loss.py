import numpy as np
import pytest
from keras import ops

from keras_rec_tx.losses import BCELoss
from tests.losses.references import masked_mean, random_inputs, softplus

N = 9


def test_matches_numpy():
    hidden, targets, table = random_inputs()
    rng = np.random.default_rng(0)
    negatives = rng.integers(1, N + 1, size=targets.shape).astype("int32")
    loss = BCELoss(N)(hidden, targets, table, negatives=negatives)
    positive = (hidden * table[targets]).sum(-1)
    negative = (hidden * table[negatives]).sum(-1)
    # -log sigmoid(s+) - log(1 - sigmoid(s-))
    per_position = softplus(-positive) + softplus(negative)
    expected = masked_mean(per_position, targets != 0)
    np.testing.assert_allclose(float(loss), expected, rtol=1e-5)


def test_stable_for_large_logits():
    hidden = np.full((1, 1, 2), 100.0, "float32")
    table = np.array([[0, 0], [1, 1], [-1, -1]], "float32")
    targets = np.array([[1]])
    loss = BCELoss(2)(hidden, targets, table, negatives=np.array([[2]]))
    assert float(loss) == pytest.approx(0.0, abs=1e-6)
    loss = BCELoss(2)(hidden, np.array([[2]]), table, negatives=np.array([[1]]))
    assert float(loss) == pytest.approx(400.0, rel=1e-5)


def test_negatives_differ_from_targets_and_cover_the_rest():
    layer = BCELoss(5, seed=0)
    targets = np.full((200, 10), 3, "int32")
    draws = ops.convert_to_numpy(layer.sample_negatives(targets))
    assert draws.shape == targets.shape
    assert set(np.unique(draws)) == {1, 2, 4, 5}
    again = ops.convert_to_numpy(layer.sample_negatives(targets))
    assert not np.array_equal(draws, again)
    replay = ops.convert_to_numpy(BCELoss(5, seed=0).sample_negatives(targets))
    np.testing.assert_array_equal(draws, replay)


def test_bad_arguments():
    with pytest.raises(ValueError, match="Received"):
        BCELoss(1)
