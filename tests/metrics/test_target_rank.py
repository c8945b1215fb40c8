import keras
import numpy as np
import pytest
from keras import ops

from keras_rec_tx.metrics import target_rank

INF = np.inf


def _np_rank(y_true, y_pred):
    target = y_pred[np.arange(len(y_true)), y_true][:, None]
    return (y_pred > target).sum(-1) + (y_pred == target).sum(-1) - 1


@pytest.mark.parametrize(
    "scores, target, expected",
    [
        ([3.0, 1.0, 2.0, 0.0], 2, 1),  # one item above
        ([3.0, 1.0, 2.0, 0.0], 0, 0),  # top
        ([3.0, 1.0, 2.0, 0.0], 3, 3),  # bottom
        ([1.0, 1.0, 1.0, 1.0], 0, 3),  # constant scorer: no credit
        ([0.0, 5.0, 5.0, 1.0], 2, 1),  # tie ranks the other item above
        ([-INF, 2.0, 5.0, -INF], 1, 1),  # -inf items rank last
        ([-INF, 2.0, 5.0, -INF], 0, 3),  # -inf target ties the other -inf
        ([-INF, -INF, -INF, 0.5], 3, 0),
    ],
)
def test_hand_computed(scores, target, expected):
    rank = target_rank(np.array([target]), np.array([scores], "float32"))
    assert ops.convert_to_numpy(rank).tolist() == [expected]


def test_dtype_shape_and_column_labels():
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(5, 7)).astype("float32")
    scores[1, 3] = scores[1, 0]  # a tie
    scores[2, :3] = -INF
    y = np.array([0, 3, 1, 6, 2])
    rank = target_rank(y, scores)
    assert ops.shape(rank) == (5,)
    assert keras.backend.standardize_dtype(rank.dtype) == "float32"
    np.testing.assert_array_equal(
        ops.convert_to_numpy(rank), _np_rank(y, scores)
    )
    # (B, 1) labels give the same ranks.
    np.testing.assert_array_equal(
        ops.convert_to_numpy(target_rank(y[:, None], scores)),
        _np_rank(y, scores),
    )


def test_invariant_to_monotone_transform():
    rng = np.random.default_rng(1)
    scores = rng.normal(size=(4, 9)).astype("float32")
    y = np.array([0, 4, 8, 2])
    a = ops.convert_to_numpy(target_rank(y, scores))
    b = ops.convert_to_numpy(target_rank(y, 3.0 * scores + 2.0))
    np.testing.assert_array_equal(a, b)
    # A random column permutation of scores and labels keeps every rank.
    perm = rng.permutation(9)
    inv = np.argsort(perm)
    c = ops.convert_to_numpy(target_rank(inv[y], scores[:, perm]))
    np.testing.assert_array_equal(a, c)
