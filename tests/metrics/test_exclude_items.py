import keras
import numpy as np
import pytest
from keras import ops

from keras_rec_tx.metrics import exclude_items, target_rank

INF = np.inf


def _np_exclude(scores, item_ids, exclude_padding=True):
    out = scores.copy()
    for row, ids in enumerate(item_ids):
        for i in ids:
            if i > 0:
                out[row, i] = -INF
    if exclude_padding:
        out[:, 0] = -INF
    return out


def test_small_input():
    scores = np.arange(12, dtype="float32").reshape(2, 6)
    ids = np.array([[0, 2, 2], [3, 5, 1]])
    out = ops.convert_to_numpy(exclude_items(scores, ids))
    expected = [[-INF, 1, -INF, 3, 4, 5], [-INF, -INF, 8, -INF, 10, -INF]]
    np.testing.assert_array_equal(out, np.array(expected, "float32"))


def test_keep_padding_column():
    scores = np.arange(12, dtype="float32").reshape(2, 6)
    ids = np.array([[0, 2, 2], [3, 0, 1]])
    out = ops.convert_to_numpy(
        exclude_items(scores, ids, exclude_padding=False)
    )
    expected = [[0, 1, -INF, 3, 4, 5], [6, -INF, 8, -INF, 10, 11]]
    np.testing.assert_array_equal(out, np.array(expected, "float32"))


@pytest.mark.parametrize("exclude_padding", [True, False])
def test_random_against_numpy(exclude_padding):
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(4, 11)).astype("float32")
    ids = rng.integers(0, 11, size=(4, 6))
    out = exclude_items(scores, ids, exclude_padding=exclude_padding)
    np.testing.assert_array_equal(
        ops.convert_to_numpy(out), _np_exclude(scores, ids, exclude_padding)
    )


def test_compiled_with_unknown_batch():
    # Runs under tf.function / jax.jit / torch with a symbolic batch size.
    scores_in = keras.Input((6,))
    ids_in = keras.Input((3,), dtype="int32")
    labels_in = keras.Input((), dtype="int32")
    masked = keras.layers.Lambda(lambda a: exclude_items(a[0], a[1]))(
        [scores_in, ids_in]
    )
    rank = keras.layers.Lambda(lambda a: target_rank(a[0], a[1]))(
        [labels_in, masked]
    )
    model = keras.Model([scores_in, ids_in, labels_in], [masked, rank])
    scores = np.tile(np.arange(6, 0, -1, dtype="float32"), (3, 1))
    ids = np.array([[1, 0, 0], [2, 3, 0], [0, 0, 0]], "int32")
    labels = np.array([2, 4, 2], "int32")
    out, ranks = model.predict([scores, ids, labels], batch_size=2, verbose=0)
    np.testing.assert_array_equal(out, _np_exclude(scores, ids))
    # Scores fall with the index: rank = items before the label, minus
    # the excluded ones (item 0 is always excluded).
    np.testing.assert_array_equal(ranks, [0, 1, 1])
