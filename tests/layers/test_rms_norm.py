import warnings

import keras
import numpy as np
import pytest

from keras_rec_tx.layers import RMSNorm
from tests.layers.layer_test_helper import (
    check_mixed_precision,
    run_layer_test,
    to_numpy,
)


def numpy_rms_norm(x, scale, epsilon=1e-6, axis=-1):
    x = np.asarray(x, np.float64)
    ms = np.mean(x**2, axis=axis, keepdims=True)
    shape = [1] * x.ndim
    shape[axis] = -1
    return x / np.sqrt(ms + epsilon) * np.reshape(scale, shape)


def _inputs(*shape, seed=0):
    # Non-zero mean on purpose: mean subtraction would show.
    rng = np.random.default_rng(seed)
    return (rng.normal(size=shape) + 3.0).astype("float32")


def test_layer_contract(tmp_path):
    run_layer_test(
        RMSNorm,
        {"epsilon": 1e-5},
        _inputs(2, 5, 8),
        expected_output_shape=(2, 5, 8),
        expected_num_weights=1,
        expected_num_params=8,
        reference_fn=lambda layer, x: numpy_rms_norm(
            x, to_numpy(layer.scale), 1e-5
        ),
        tmp_path=tmp_path,
    )


def test_matches_numpy_with_trained_scale_and_other_axis():
    x = _inputs(2, 6, 4)
    scale = np.linspace(0.5, 2.0, 6).astype("float32")
    layer = RMSNorm(axis=1)
    layer.build(x.shape)
    layer.scale.assign(scale)
    np.testing.assert_allclose(
        to_numpy(layer(x)), numpy_rms_norm(x, scale, axis=1), atol=1e-5
    )


def test_is_not_layer_normalization_with_rms_scaling():
    x = _inputs(2, 5, 8)
    ours = to_numpy(RMSNorm()(x))
    with warnings.catch_warnings():  # rms_scaling is deprecated in Keras
        warnings.simplefilter("ignore")
        keras_ln = to_numpy(
            keras.layers.LayerNormalization(rms_scaling=True, epsilon=1e-6)(x)
        )
    assert np.max(np.abs(ours - keras_ln)) > 0.5
    # Ours has unit root mean square and keeps the sign of the mean.
    np.testing.assert_allclose(np.sqrt(np.mean(ours**2, -1)), 1.0, atol=1e-4)
    assert np.mean(ours) > 0.5


def test_invalid_arguments():
    with pytest.raises(TypeError, match="axis"):
        RMSNorm(axis=(1, 2))
    with pytest.raises(ValueError, match="epsilon"):
        RMSNorm(epsilon=-1.0)


def test_mixed_precision():
    x = _inputs(2, 5, 8)
    layer = RMSNorm(dtype="mixed_bfloat16")
    values = check_mixed_precision(layer, x)
    assert keras.backend.standardize_dtype(layer.scale.dtype) == "float32"
    np.testing.assert_allclose(values, numpy_rms_norm(x, 1.0), atol=2e-2)
