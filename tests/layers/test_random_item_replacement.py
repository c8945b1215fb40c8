import keras
import numpy as np
import pytest

from keras_rec_tx.layers import RandomItemReplacement

NUM_ITEMS = 50


def _ids(seed=0):
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, NUM_ITEMS + 1, size=(64, 40)).astype("int32")
    ids[:, :10] = 0  # left padding
    return ids


def test_replaces_about_rate_of_the_items_and_never_padding():
    ids = _ids()
    layer = RandomItemReplacement(NUM_ITEMS, rate=0.3, seed=7)
    out = keras.ops.convert_to_numpy(layer(ids, training=True))
    assert out.dtype == ids.dtype and out.shape == ids.shape
    np.testing.assert_array_equal(out[:, :10], 0)
    assert out[:, 10:].min() >= 1 and out.max() <= NUM_ITEMS
    # A replaced id equals the old one 1 time in NUM_ITEMS.
    changed = np.mean(out[:, 10:] != ids[:, 10:])
    assert changed == pytest.approx(0.3 * (1 - 1 / NUM_ITEMS), abs=0.03)
    # Fresh draws on the next call.
    again = keras.ops.convert_to_numpy(layer(ids, training=True))
    assert not np.array_equal(out, again)


def test_identity_outside_training_and_at_rate_zero():
    ids = _ids()
    layer = RandomItemReplacement(NUM_ITEMS, rate=0.5, seed=1)
    for training in (None, False):
        np.testing.assert_array_equal(
            keras.ops.convert_to_numpy(layer(ids, training=training)), ids
        )
    off = RandomItemReplacement(NUM_ITEMS, rate=0.0)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(off(ids, training=True)), ids
    )
    assert off.weights == []


def test_config_round_trip_and_bad_arguments():
    layer = RandomItemReplacement(NUM_ITEMS, rate=0.2, seed=3, name="r")
    clone = RandomItemReplacement.from_config(layer.get_config())
    assert (clone.num_items, clone.rate, clone.seed) == (NUM_ITEMS, 0.2, 3)
    with pytest.raises(ValueError, match="rate"):
        RandomItemReplacement(NUM_ITEMS, rate=1.0)
    with pytest.raises(ValueError, match="num_items"):
        RandomItemReplacement(0, rate=0.1)
