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


NAN = np.nan


@pytest.mark.parametrize(
    "scores, target, expected",
    [
        ([NAN, 1.0, 2.0, 3.0], 0, INF),  # NaN target: a miss
        ([0.0, 1.0, 2.0, INF], 3, INF),  # +inf target: a miss
        ([NAN, NAN, NAN, NAN], 1, INF),  # diverged model: a miss
        ([1.0, NAN, 0.0, 2.0], 3, 1),  # a NaN item ranks above the target
        ([NAN, -INF, 5.0, 1.0], 1, 3),  # a -inf target still ranks last
    ],
)
def test_non_finite_scores_never_help(scores, target, expected):
    rank = target_rank(np.array([target]), np.array([scores], "float32"))
    assert ops.convert_to_numpy(rank).tolist() == [expected]


def test_out_of_range_label_in_graph_is_a_miss():
    # Backend tensors are not read back: a bad label is a miss, never a
    # backend gather error or a wrapped-around index.
    scores = ops.convert_to_tensor(np.ones((3, 4), "float32"))
    labels = ops.convert_to_tensor(np.array([-1, 4, 100], "int32"))
    rank = ops.convert_to_numpy(target_rank(labels, scores))
    assert np.isinf(rank).all()


@pytest.mark.parametrize(
    "labels, error, match",
    [
        ([4], ValueError, r"`y_true` must be indices in \[0, 4\)"),
        ([-1], ValueError, r"`y_true` must be indices"),
        ([1.5], ValueError, "whole-number"),
        (["a"], TypeError, "integer item indices"),
    ],
)
def test_numpy_labels_are_checked(labels, error, match):
    with pytest.raises(error, match=match):
        target_rank(np.array(labels), np.ones((1, 4), "float32"))


def test_shapes_are_checked():
    with pytest.raises(ValueError, match="one row per example"):
        target_rank(np.array([0, 1]), np.ones((3, 4), "float32"))
    with pytest.raises(ValueError, match=r"shape \(B, C\)"):
        target_rank(np.array([0]), np.ones((4,), "float32"))
