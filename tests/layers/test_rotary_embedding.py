import keras
import numpy as np
import pytest

from keras_rec_tx.layers import RotaryEmbedding
from tests.layers.layer_test_helper import (
    check_mixed_precision,
    run_layer_test,
    to_numpy,
)


def numpy_rope(x, positions=None, max_wavelength=10000, scaling_factor=1.0):
    """RoPE on `x` (batch, seq, ..., dim), rotate-half convention."""
    x = np.asarray(x, dtype=np.float64)
    seq, dim = x.shape[1], x.shape[-1]
    if positions is None:
        positions = np.arange(seq)[None]
    positions = np.asarray(positions, np.float64) / scaling_factor
    inv = 1.0 / max_wavelength ** (np.arange(0, dim, 2) / dim)
    angle = positions[..., None] * inv
    angle = np.concatenate([angle, angle], axis=-1)
    angle = angle.reshape(angle.shape[:2] + (1,) * (x.ndim - 3) + (dim,))
    x1, x2 = np.split(x, 2, axis=-1)
    return x * np.cos(angle) + np.concatenate([-x2, x1], -1) * np.sin(angle)


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def test_layer_contract(tmp_path):
    run_layer_test(
        RotaryEmbedding,
        {"max_wavelength": 100, "scaling_factor": 2.0},
        _rand(2, 6, 8),
        expected_output_shape=(2, 6, 8),
        expected_num_weights=0,
        reference_fn=lambda layer, x: numpy_rope(x, None, 100, 2.0),
        tmp_path=tmp_path,
    )


def test_heads_axis_and_explicit_positions():
    x = _rand(2, 5, 3, 8)
    positions = np.array([[0, 0, 4, 9, 30], [1, 2, 3, 4, 5]], "int32")
    layer = RotaryEmbedding()
    np.testing.assert_allclose(
        to_numpy(layer(x)), numpy_rope(x), atol=1e-5, rtol=1e-5
    )
    np.testing.assert_allclose(
        to_numpy(layer(x, positions=positions)),
        numpy_rope(x, positions),
        atol=1e-5,
        rtol=1e-5,
    )
    # Float positions and unbatched positions.
    half = positions.astype("float32") + 0.5
    np.testing.assert_allclose(
        to_numpy(layer(x, positions=half)),
        numpy_rope(x, half),
        atol=1e-5,
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        to_numpy(layer(x, positions=positions[1])),
        numpy_rope(x, positions[1:2]),
        atol=1e-5,
        rtol=1e-5,
    )


def test_custom_axes():
    x = _rand(2, 8, 5)  # (batch, dim, seq)
    layer = RotaryEmbedding(sequence_axis=2, feature_axis=1)
    expected = numpy_rope(x.transpose(0, 2, 1)).transpose(0, 2, 1)
    np.testing.assert_allclose(to_numpy(layer(x)), expected, atol=1e-5)


def test_matches_keras_hub():
    keras_hub = pytest.importorskip("keras_hub")
    x = _rand(2, 7, 2, 8)
    ours = RotaryEmbedding(max_wavelength=500, scaling_factor=3.0)
    hub = keras_hub.layers.RotaryEmbedding(
        max_wavelength=500, scaling_factor=3.0
    )
    np.testing.assert_allclose(
        to_numpy(ours(x)), to_numpy(hub(x)), atol=1e-5, rtol=1e-5
    )


def test_score_depends_only_on_offset():
    rng = np.random.default_rng(1)
    q = rng.normal(size=(1, 1, 16)).astype("float32")
    k = rng.normal(size=(1, 1, 16)).astype("float32")
    layer = RotaryEmbedding()

    def score(m, n):
        qm = to_numpy(layer(q, positions=np.array([[m]], "int32")))
        kn = to_numpy(layer(k, positions=np.array([[n]], "int32")))
        return float(np.sum(qm * kn))

    reference = score(3, 1)
    for m, n in [(10, 8), (57, 55), (2, 0)]:
        assert score(m, n) == pytest.approx(reference, abs=1e-4)
    assert abs(score(3, 0) - reference) > 1e-3
    assert abs(score(1, 3) - reference) > 1e-3


def test_invalid_arguments():
    with pytest.raises(ValueError, match="even"):
        RotaryEmbedding()(_rand(1, 3, 5))
    with pytest.raises(ValueError, match="max_wavelength"):
        RotaryEmbedding(max_wavelength=0)
    with pytest.raises(ValueError, match="differ"):
        RotaryEmbedding(sequence_axis=2, feature_axis=-1)(_rand(1, 3, 4))


def test_mixed_precision():
    layer = RotaryEmbedding(dtype="mixed_bfloat16")
    x = _rand(2, 6, 2, 8)
    values = check_mixed_precision(layer, x, positions=np.arange(6)[None])
    np.testing.assert_allclose(values, numpy_rope(x), atol=0.1)
    assert keras.backend.standardize_dtype(layer.variable_dtype) == "float32"
