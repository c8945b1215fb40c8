import keras
import numpy as np
import pytest

from keras_rec_tx.regularizers import NormPenalty


def _np(x):
    return float(keras.ops.convert_to_numpy(x))


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def test_l2_and_hinge_values_match_numpy():
    x = _rand(3, 4, 6)
    norms = np.linalg.norm(x.astype(np.float64), axis=-1)
    assert _np(NormPenalty(0.3)(x)) == pytest.approx(0.3 * norms.mean(), 1e-5)
    tau = norms.mean() - 0.25
    hinge = NormPenalty(2.0, mode="hinge", tau=tau)
    assert _np(hinge(x)) == pytest.approx(2.0 * 0.25**2, rel=1e-3)
    # Below tau the hinge is exactly zero.
    assert _np(NormPenalty(2.0, mode="hinge", tau=norms.max())(x)) == 0.0


def test_mask_counts_only_true_rows():
    x = _rand(2, 5, 4)
    mask = np.array([[0, 0, 1, 1, 1], [0, 1, 1, 1, 1]], bool)
    norms = np.linalg.norm(x.astype(np.float64), axis=-1)
    expected = 0.5 * norms[mask].mean()
    penalty = NormPenalty(0.5)
    assert _np(penalty(x, mask=mask)) == pytest.approx(expected, 1e-5)
    assert _np(penalty(x, mask=mask.astype("float32"))) == pytest.approx(
        expected, 1e-5
    )
    # Values at masked rows do not matter.
    noisy = np.where(mask[..., None], x, 1e3)
    assert _np(penalty(noisy, mask=mask)) == pytest.approx(expected, 1e-5)
    assert _np(penalty(x, mask=np.zeros((2, 5), bool))) == 0.0


def test_half_precision_input():
    x = _rand(4, 8)
    value = NormPenalty(1.0)(keras.ops.cast(x, "bfloat16"))
    assert keras.backend.standardize_dtype(value.dtype) == "float32"
    expected = np.linalg.norm(x, axis=-1).mean()
    assert _np(value) == pytest.approx(expected, rel=1e-2)


def test_invalid_arguments():
    with pytest.raises(ValueError, match="tau"):
        NormPenalty(1.0, mode="hinge")
    with pytest.raises(ValueError, match="strength"):
        NormPenalty(-0.1)
    with pytest.raises(ValueError, match="mode"):
        NormPenalty(1.0, mode="l1")


def test_config_round_trip_and_registration():
    penalty = NormPenalty(0.25, mode="hinge", tau=1.5)
    config = penalty.get_config()
    assert config == {"strength": 0.25, "mode": "hinge", "tau": 1.5}
    assert NormPenalty.from_config(config).get_config() == config
    restored = keras.regularizers.deserialize(
        keras.regularizers.serialize(penalty)
    )
    assert isinstance(restored, NormPenalty)
    assert restored.get_config() == config


def test_activity_regularizer_adds_loss():
    x = _rand(4, 6)
    dense = keras.layers.Dense(
        3, activity_regularizer=NormPenalty(0.5), kernel_initializer="ones"
    )
    y = keras.ops.convert_to_numpy(dense(x))
    assert len(dense.losses) == 1
    # Keras divides activity regularization by the batch size.
    expected = 0.5 * np.linalg.norm(y, axis=-1).mean() / len(x)
    assert _np(dense.losses[0]) == pytest.approx(expected, rel=1e-5)


def test_zero_rows_train_without_nan_and_save(tmp_path):
    inputs = keras.Input((3,), dtype="int32")
    embedding = keras.layers.Embedding(
        5, 4, embeddings_regularizer=NormPenalty(0.1, mode="l2")
    )
    model = keras.Model(inputs, keras.layers.Flatten()(embedding(inputs)))
    table = _rand(5, 4)
    table[0] = 0.0  # a padding row
    embedding.embeddings.assign(table)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    ids = np.array([[0, 1, 2], [3, 4, 0]], "int32")
    history = model.fit(ids, _rand(2, 12), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    trained = keras.ops.convert_to_numpy(embedding.embeddings)
    assert np.all(np.isfinite(trained))
    assert not np.allclose(trained[1:], table[1:])
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    regularizer = loaded.layers[1].embeddings_regularizer
    assert isinstance(regularizer, NormPenalty)
    assert regularizer.get_config()["strength"] == 0.1
