import math

import keras
import numpy as np
import pytest

from keras_rec_tx.layers import SwiGLUDense, glu_hidden_dim
from tests.layers.layer_test_helper import (
    check_mixed_precision,
    run_layer_test,
    to_numpy,
)

_erf = np.vectorize(math.erf)


def np_silu(x):
    return x / (1.0 + np.exp(-x))


def np_gelu(x):
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def numpy_glu(layer, x, activation=np_silu):
    def dense(sub, h):
        y = h @ to_numpy(sub.kernel).astype(np.float64)
        if sub.use_bias:
            y = y + to_numpy(sub.bias)
        return y

    x = np.asarray(x, np.float64)
    hidden = activation(dense(layer.gate_dense, x)) * dense(layer.up_dense, x)
    return dense(layer.output_dense, hidden)


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def test_layer_contract(tmp_path):
    run_layer_test(
        SwiGLUDense,
        {"hidden_dim": 12},
        _rand(2, 5, 8),
        expected_output_shape=(2, 5, 8),
        expected_num_weights=3,
        expected_num_params=3 * 8 * 12,
        reference_fn=lambda layer, x: numpy_glu(layer, x),
        tmp_path=tmp_path,
    )


def test_geglu_with_bias_and_output_dim():
    x = _rand(2, 5, 8)
    layer = SwiGLUDense(
        hidden_dim=12,
        output_dim=6,
        activation="gelu",
        use_bias=True,
        bias_initializer="random_normal",
    )
    y = to_numpy(layer(x))
    assert y.shape == (2, 5, 6)
    assert len(layer.weights) == 6
    assert layer.count_params() == 2 * (8 * 12 + 12) + 12 * 6 + 6
    np.testing.assert_allclose(y, numpy_glu(layer, x, np_gelu), atol=1e-5)
    # Gate and up projections start from different kernels.
    assert not np.allclose(
        to_numpy(layer.gate_dense.kernel), to_numpy(layer.up_dense.kernel)
    )


def test_dropout_only_in_training():
    x = _rand(2, 5, 8)
    layer = SwiGLUDense(hidden_dim=12, dropout=0.5)
    inference = to_numpy(layer(x, training=False))
    np.testing.assert_allclose(inference, numpy_glu(layer, x), atol=1e-5)
    assert not np.allclose(to_numpy(layer(x, training=True)), inference)


@pytest.mark.parametrize("use_bias", [False, True])
@pytest.mark.parametrize("d_model,d_ff", [(64, 256), (50, 200), (16, 64)])
def test_glu_hidden_dim_matches_ffn_parameters(d_model, d_ff, use_bias):
    hidden = glu_hidden_dim(d_model, d_ff, use_bias=use_bias)
    init = {"use_bias": use_bias, "kernel_initializer": "zeros"}  # cheap
    glu = SwiGLUDense(hidden_dim=hidden, **init)
    glu.build((None, d_model))
    inner = keras.layers.Dense(d_ff, **init)
    inner.build((None, d_model))
    outer = keras.layers.Dense(d_model, **init)
    outer.build((None, d_ff))
    plain = inner.count_params() + outer.count_params()
    assert abs(glu.count_params() - plain) / plain < 0.01
    if not use_bias:
        assert hidden == round(2 * d_ff / 3)


def test_invalid_arguments():
    with pytest.raises(ValueError, match="hidden_dim"):
        SwiGLUDense(hidden_dim=0)
    with pytest.raises(ValueError, match="output_dim"):
        SwiGLUDense(hidden_dim=4, output_dim=-1)
    with pytest.raises(ValueError, match="d_model"):
        glu_hidden_dim(0, 16)


def test_mixed_precision():
    x = _rand(2, 5, 8)
    layer = SwiGLUDense(hidden_dim=12, dtype="mixed_bfloat16")
    values = check_mixed_precision(layer, x)
    np.testing.assert_allclose(values, numpy_glu(layer, x), atol=0.1)
