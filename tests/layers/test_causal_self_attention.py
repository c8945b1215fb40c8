import numpy as np
import pytest

from keras_rec_tx.layers import CausalSelfAttention
from tests.layers.layer_test_helper import (
    check_mixed_precision,
    run_layer_test,
    to_numpy,
)
from tests.layers.test_rotary_embedding import numpy_rope

PADDING_MASK = np.array([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]], bool)


def numpy_attention(layer, x, padding_mask=None, positions=None, keys=None):
    """Reference multi-head causal attention reading the layer's weights."""
    x = np.asarray(x, np.float64)
    keys = x if keys is None else np.asarray(keys, np.float64)
    batch, seq, _ = x.shape

    def project(dense, h, equation):
        y = np.einsum(equation, h, to_numpy(dense.kernel))
        return y + to_numpy(dense.bias) if layer.use_bias else y

    q = project(layer.query_dense, x, "btd,dnh->btnh")
    k = project(layer.key_dense, keys, "btd,dnh->btnh")
    v = project(layer.value_dense, keys, "btd,dnh->btnh")
    if layer.use_rope:
        q = numpy_rope(q, positions, layer.rope_max_wavelength)
        k = numpy_rope(k, positions, layer.rope_max_wavelength)
    scores = np.einsum("btnh,bsnh->bnts", q, k) / np.sqrt(q.shape[-1])
    if padding_mask is None:
        padding_mask = np.ones((batch, seq), bool)
    allowed = np.tril(np.ones((seq, seq), bool)) & padding_mask[:, None, None]
    allowed |= np.eye(seq, dtype=bool)
    scores = np.where(allowed, scores, -np.inf)
    probs = np.exp(scores - scores.max(-1, keepdims=True))
    probs /= probs.sum(-1, keepdims=True)
    context = np.einsum("bnts,bsnh->btnh", probs, v)
    return project(layer.output_dense, context, "btnh,nhd->btd")


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def test_layer_contract(tmp_path):
    run_layer_test(
        CausalSelfAttention,
        {"num_heads": 2},
        _rand(2, 5, 8),
        call_kwargs={"padding_mask": PADDING_MASK},
        expected_output_shape=(2, 5, 8),
        expected_num_weights=8,
        expected_num_params=4 * (8 * 8 + 8),
        reference_fn=numpy_attention,
        tmp_path=tmp_path,
    )


def _rope_layer():
    # One configuration (and input shape) for the RoPE tests: JAX compiles
    # eager ops once per shape.
    return CausalSelfAttention(
        num_heads=2, key_dim=6, use_bias=False, use_rope=True
    )


def test_rope_custom_key_dim_no_bias_matches_numpy():
    x = _rand(2, 5, 8)
    positions = np.array([[0, 0, 0, 1, 2], [3, 4, 5, 6, 7]], "int32")
    layer = _rope_layer()
    y = layer(x, padding_mask=PADDING_MASK, positions=positions)
    assert len(layer.weights) == 4
    np.testing.assert_allclose(
        to_numpy(y),
        numpy_attention(layer, x, PADDING_MASK, positions),
        atol=1e-5,
    )


def test_separate_keys_match_numpy():
    x, keys = _rand(2, 5, 8), _rand(2, 5, 8, seed=3)
    layer = CausalSelfAttention(num_heads=2)
    y = layer(x, padding_mask=PADDING_MASK, keys=keys)
    np.testing.assert_allclose(
        to_numpy(y),
        numpy_attention(layer, x, PADDING_MASK, keys=keys),
        atol=1e-5,
    )
    assert not np.allclose(to_numpy(y), to_numpy(layer(x, PADDING_MASK)))


def test_causality():
    x = _rand(2, 5, 8)
    layer = _rope_layer()
    changed = x.copy()
    changed[:, 3:] = _rand(2, 2, 8, seed=1)
    y, y_changed = to_numpy(layer(x)), to_numpy(layer(changed))
    np.testing.assert_allclose(y[:, :3], y_changed[:, :3], atol=1e-6)
    assert np.max(np.abs(y[:, 3:] - y_changed[:, 3:])) > 1e-3


def test_padded_inputs_do_not_leak_and_no_nan():
    mask = np.array([[0, 0, 1, 1, 1], [0, 0, 0, 0, 0]], bool)  # row 1: all pad
    x = _rand(2, 5, 8)
    layer = CausalSelfAttention(num_heads=2)
    y = to_numpy(layer(x, padding_mask=mask))
    assert np.all(np.isfinite(y))
    noisy = np.where(mask[..., None], x, 100.0 * _rand(2, 5, 8, seed=2))
    y_noisy = to_numpy(layer(noisy, padding_mask=mask))
    np.testing.assert_allclose(y[mask], y_noisy[mask], atol=1e-5)
    assert np.all(np.isfinite(y_noisy))


def test_rope_depends_on_relative_positions_only():
    x = _rand(2, 5, 8)
    layer = _rope_layer()
    default = to_numpy(layer(x))
    positions = np.tile(np.arange(5, dtype="int32"), (2, 1))
    np.testing.assert_allclose(
        to_numpy(layer(x, positions=positions)), default, atol=1e-6
    )
    np.testing.assert_allclose(
        to_numpy(layer(x, positions=positions + 17)), default, atol=1e-4
    )
    # Changing the spacing does change the result.
    spread = to_numpy(layer(x, positions=3 * positions))
    assert np.max(np.abs(spread - default)) > 1e-4


def test_invalid_arguments():
    with pytest.raises(ValueError, match="num_heads"):
        CausalSelfAttention(num_heads=0)
    with pytest.raises(ValueError, match="even"):
        CausalSelfAttention(num_heads=2, key_dim=3, use_rope=True)
    with pytest.raises(ValueError, match="divisible"):
        CausalSelfAttention(num_heads=3)(_rand(1, 4, 8))


def test_mixed_precision():
    layer = CausalSelfAttention(
        num_heads=2, use_rope=True, dtype="mixed_bfloat16"
    )
    check_mixed_precision(layer, _rand(2, 5, 8), padding_mask=PADDING_MASK)


def test_training_path_with_probability_dropout():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 5, 8)).astype("float32")
    layer = CausalSelfAttention(num_heads=2, dropout=0.3)
    layer.build(x.shape)
    expected = numpy_attention(layer, x, PADDING_MASK)
    # The explicit-softmax training path equals the fused path (and numpy)
    # when its dropout keeps everything.
    layer.dropout_layer.rate = 0.0
    same = to_numpy(layer(x, padding_mask=PADDING_MASK, training=True))
    valid = PADDING_MASK[:, :, None].repeat(8, -1)
    np.testing.assert_allclose(same[valid], expected[valid], atol=1e-4)
    layer.dropout_layer.rate = 0.3
    dropped = to_numpy(layer(x, padding_mask=PADDING_MASK, training=True))
    assert np.all(np.isfinite(dropped))
    assert not np.allclose(dropped[valid], expected[valid], atol=1e-4)
