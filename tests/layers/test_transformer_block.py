import numpy as np
import pytest

from keras_rec_tx.layers import TransformerBlock
from tests.layers.layer_test_helper import (
    check_mixed_precision,
    run_layer_test,
    to_numpy,
)
from tests.layers.test_causal_self_attention import numpy_attention
from tests.layers.test_rms_norm import numpy_rms_norm
from tests.layers.test_swiglu_dense import np_gelu, np_silu, numpy_glu

PADDING_MASK = np.array([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]], bool)
ACTIVATIONS = {"relu": lambda h: np.maximum(h, 0.0), "gelu": np_gelu}


def numpy_block(layer, x, padding_mask=None, positions=None):
    """Reference forward pass (inference) reading the block's weights."""
    x = np.asarray(x, np.float64)

    def norm(sub, h):
        if layer.norm == "rmsnorm":
            return numpy_rms_norm(h, to_numpy(sub.scale), layer.epsilon)
        centred = h - h.mean(-1, keepdims=True)
        var = (centred**2).mean(-1, keepdims=True)
        out = centred / np.sqrt(var + layer.epsilon) * to_numpy(sub.gamma)
        return out + to_numpy(sub.beta) if layer.use_bias else out

    def ffn(h):
        if layer.ffn in ("swiglu", "geglu"):
            act = np_silu if layer.ffn == "swiglu" else np_gelu
            return numpy_glu(layer.ffn_glu, h, act)
        hidden = h @ to_numpy(layer.ffn_inner.kernel)
        out = 0.0
        if layer.use_bias:
            hidden = hidden + to_numpy(layer.ffn_inner.bias)
            out = to_numpy(layer.ffn_outer.bias)
        return (
            ACTIVATIONS[layer.ffn](hidden) @ to_numpy(layer.ffn_outer.kernel)
            + out
        )

    def attend(h, keys=None):
        return numpy_attention(
            layer.attention, h, padding_mask, positions, keys=keys
        )

    if layer.arrangement == "parallel":
        h = norm(layer.norm1, x)
        return x + attend(h) + ffn(h)
    if layer.norm_position == "post":
        x = norm(layer.norm1, x + attend(x))
        return norm(layer.norm2, x + ffn(x))
    if layer.norm_position == "sasrec":
        q = norm(layer.norm1, x)
        h = norm(layer.norm2, q + attend(q, keys=x))
        return h + ffn(h)
    x = x + attend(norm(layer.norm1, x))
    return x + ffn(norm(layer.norm2, x))


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


CONFIG = {
    "num_heads": 2,
    "d_ff": 16,
    "norm": "rmsnorm",
    "ffn": "swiglu",
    "use_rope": True,
    "dropout": 0.1,
}


def test_layer_contract(tmp_path):
    run_layer_test(
        TransformerBlock,
        CONFIG,
        _rand(2, 5, 8),
        call_kwargs={"padding_mask": PADDING_MASK},
        expected_output_shape=(2, 5, 8),
        expected_num_weights=1 + 1 + 8 + 6,
        reference_fn=numpy_block,
        tmp_path=tmp_path,
    )


@pytest.mark.parametrize(
    "config,num_weights",
    [
        ({}, 2 + 2 + 8 + 4),  # pre-LN, serial, GELU (SASRec-like)
        ({"ffn": "relu", "norm_position": "post"}, 2 + 2 + 8 + 4),
        ({"ffn": "relu", "norm_position": "sasrec"}, 2 + 2 + 8 + 4),
        ({"ffn": "geglu", "use_bias": False, "use_rope": True}, 1 + 1 + 4 + 3),
        ({"arrangement": "parallel", "norm": "rmsnorm"}, 1 + 8 + 4),
    ],
)
def test_variants_match_numpy_causal_and_padding_safe(config, num_weights):
    x = _rand(2, 5, 8)
    layer = TransformerBlock(num_heads=2, d_ff=16, **config)
    y = to_numpy(layer(x, padding_mask=PADDING_MASK))
    assert len(layer.weights) == num_weights
    np.testing.assert_allclose(
        y, numpy_block(layer, x, PADDING_MASK), atol=1e-4, rtol=1e-4
    )
    # Causal: the output at t ignores inputs after t.
    changed = x.copy()
    changed[:, 3:] = _rand(2, 2, 8, seed=1)
    y_changed = to_numpy(layer(changed, padding_mask=PADDING_MASK))
    np.testing.assert_allclose(y[:, :3], y_changed[:, :3], atol=1e-5)
    # Padded inputs do not reach real positions.
    noisy = np.where(PADDING_MASK[..., None], x, _rand(2, 5, 8, seed=2))
    y_noisy = to_numpy(layer(noisy, padding_mask=PADDING_MASK))
    np.testing.assert_allclose(
        y[PADDING_MASK], y_noisy[PADDING_MASK], atol=1e-5
    )


def test_dropout_only_in_training():
    x = _rand(2, 5, 8)
    layer = TransformerBlock(**CONFIG)
    inference = to_numpy(layer(x, training=False))
    np.testing.assert_allclose(
        inference, to_numpy(layer(x, training=False)), atol=0
    )
    assert not np.allclose(to_numpy(layer(x, training=True)), inference)


def test_invalid_arguments():
    with pytest.raises(ValueError, match="parallel"):
        TransformerBlock(2, 16, arrangement="parallel", norm_position="post")
    with pytest.raises(ValueError, match="norm_position"):
        TransformerBlock(2, 16, norm_position="middle")
    with pytest.raises(ValueError, match="norm"):
        TransformerBlock(2, 16, norm="batchnorm")
    with pytest.raises(ValueError, match="ffn"):
        TransformerBlock(2, 16, ffn="tanh")
    with pytest.raises(ValueError, match="arrangement"):
        TransformerBlock(2, 16, arrangement="stacked")
    with pytest.raises(ValueError, match="d_ff"):
        TransformerBlock(2, 0)
    with pytest.raises(ValueError, match="num_heads"):
        TransformerBlock(0, 16)


def test_mixed_precision():
    layer = TransformerBlock(**CONFIG, dtype="mixed_bfloat16")
    check_mixed_precision(layer, _rand(2, 5, 8), padding_mask=PADDING_MASK)
