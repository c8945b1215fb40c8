import keras
import numpy as np

from keras_rec_tx.layers import HashDropout
from tests.layers.layer_test_helper import run_layer_test, to_numpy


def test_standard_layer_checks(tmp_path):
    x = np.random.default_rng(0).normal(size=(2, 3, 4)).astype("float32")
    run_layer_test(
        HashDropout,
        {"rate": 0.3, "seed": 1},
        x,
        expected_output_shape=(2, 3, 4),
        expected_num_weights=0,
        tmp_path=tmp_path,
        reference_fn=lambda layer, x: x,  # inference: identity
    )


def test_mask_rate_values_and_fresh_masks():
    layer = HashDropout(0.2, seed=0)
    x = np.ones((64, 50, 40), "float32")
    first = to_numpy(layer(x, training=True))
    second = to_numpy(layer(x, training=True))
    assert set(np.unique(first).tolist()) == {0.0, 1.25}
    kept = first > 0
    # 128,000 draws: the kept fraction is 0.8 +- 0.0011 (1 sd).
    assert abs(kept.mean() - 0.8) < 0.006
    # A new mask at every call, independent of the last (0.8^2 + 0.2^2).
    assert abs(np.mean(kept == (second > 0)) - 0.68) < 0.01
    # Neighbouring elements are uncorrelated.
    flat = kept.ravel().astype("float64")
    assert abs(np.corrcoef(flat[:-1], flat[1:])[0, 1]) < 0.02


def test_reproducible_from_seed():
    x = np.ones((8, 16), "float32")
    a = to_numpy(HashDropout(0.5, seed=3)(x, training=True))
    b = to_numpy(HashDropout(0.5, seed=3)(x, training=True))
    np.testing.assert_array_equal(a, b)


def test_same_as_keras_dropout_off_jax():
    # Only JAX gets the hash mask; elsewhere the Keras layer's own masks.
    x = np.ones((8, 16), "float32")
    ours = to_numpy(HashDropout(0.5, seed=3)(x, training=True))
    plain = to_numpy(keras.layers.Dropout(0.5, seed=3)(x, training=True))
    if keras.backend.backend() != "jax":
        np.testing.assert_array_equal(ours, plain)
    assert set(np.unique(ours).tolist()) <= {0.0, 2.0}
