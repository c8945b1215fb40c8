import keras
import numpy as np
import pytest
from keras import ops

from keras_rec_tx import losses
from tests.losses.references import logsumexp, masked_mean, random_inputs

N = 9
CASES = [
    ("softmax", {}),
    ("sampled_softmax", {"num_negatives": 4}),
    ("sampled_softmax", {"num_negatives": 4, "sampling": "popularity"}),
    ("bce", {}),
    ("gbce", {"num_negatives": 4}),
]


def _make(name, kwargs, seed=0):
    return losses.get(name, num_items=N, seed=seed, **kwargs)


@pytest.mark.parametrize("name, kwargs", CASES)
def test_all_padding_batch_is_zero(name, kwargs):
    hidden, targets, table = random_inputs()
    layer = _make(name, kwargs)
    loss = layer(hidden, np.zeros_like(targets), table)
    assert float(loss) == 0.0
    loss = layer(hidden, targets, table, mask=np.zeros(targets.shape, bool))
    assert float(loss) == 0.0


def test_sample_weight_scales_losses_not_the_divisor():
    hidden, targets, table = random_inputs()
    layer = _make("softmax", {})
    logits = np.einsum("bld,nd->bln", hidden, table[1:])  # row 0: padding
    target = np.maximum(targets - 1, 0)[..., None]
    per_position = (
        logsumexp(logits) - np.take_along_axis(logits, target, -1)[..., 0]
    )
    valid = targets != 0
    rng = np.random.default_rng(1)
    for weight in (
        rng.uniform(0.5, 2.0, size=targets.shape[0]).astype("float32"),
        rng.uniform(0.5, 2.0, size=targets.shape).astype("float32"),
    ):
        full = weight if weight.ndim == 2 else weight[:, None]
        full = np.broadcast_to(full, targets.shape)
        expected = (per_position * full)[valid].sum() / valid.sum()
        loss = layer(hidden, targets, table, sample_weight=weight)
        np.testing.assert_allclose(float(loss), expected, rtol=1e-5)
    np.testing.assert_allclose(
        float(layer(hidden, targets, table)),
        masked_mean(per_position, valid),
        rtol=1e-5,
    )


@pytest.mark.parametrize("name, kwargs", CASES)
def test_config_round_trip_and_symbolic_call(name, kwargs):
    layer = _make(name, kwargs, seed=3)
    hidden, targets, table = random_inputs()
    layer(hidden, targets, table)
    config = keras.saving.serialize_keras_object(layer)
    assert config["registered_name"].startswith("keras_rec_tx>")
    restored = keras.saving.deserialize_keras_object(config)
    assert type(restored) is type(layer)
    assert restored.get_config() == layer.get_config()
    # The build config travels with the config: state is recreated.
    assert restored.built
    assert len(restored.weights) == len(layer.weights)
    out = restored(
        keras.KerasTensor((None, 4, 5)),
        keras.KerasTensor((None, 4), dtype="int32"),
        keras.KerasTensor((N + 1, 5)),
    )
    assert out.shape == () and out.dtype == "float32"


def test_get():
    assert isinstance(losses.get("softmax"), losses.FullSoftmaxLoss)
    assert isinstance(losses.get("full_softmax"), losses.FullSoftmaxLoss)
    layer = losses.get("sampled_softmax", num_items=5, num_negatives=3)
    assert isinstance(layer, losses.SampledSoftmaxLoss)
    assert layer.num_negatives == 3
    assert isinstance(losses.get("bce", num_items=5), losses.BCELoss)
    assert isinstance(losses.get("GBCE", num_items=5), losses.GBCELoss)
    assert losses.get(layer) is layer
    # numpy ints (e.g. a dataset's num_items) are accepted, stored as int.
    config = losses.get("bce", num_items=np.int64(5)).get_config()
    assert type(config["num_items"]) is int
    with pytest.raises(ValueError, match="sampled_softmax"):
        losses.get("hinge")
    with pytest.raises(ValueError, match="num_items"):
        losses.get("bce")


class TinyModel(keras.Model):
    """Embeds item ids; the loss scores them against the same table."""

    def __init__(self, loss_layer):
        super().__init__()
        self.embedding = keras.layers.Embedding(N + 1, 8)
        self.dense = keras.layers.Dense(8)
        self.loss_layer = loss_layer

    def call(self, item_ids):
        return self.dense(self.embedding(item_ids))

    def compute_loss(self, x=None, y=None, y_pred=None, *args, **kwargs):
        return self.loss_layer(y_pred, y, self.embedding.embeddings)


@pytest.mark.parametrize("name, kwargs", CASES)
def test_fit_updates_weights_and_sampler(name, kwargs):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    seqs = rng.integers(1, N + 1, size=(8, 6)).astype("int32")
    seqs[:2, :3] = 0
    x, y = seqs[:, :-1], seqs[:, 1:]
    model = TinyModel(_make(name, kwargs))
    model.compile(optimizer=keras.optimizers.Adam(0.05))
    model(x)
    before = ops.convert_to_numpy(model.embedding.embeddings).copy()
    sampler = model.loss_layer.seed_generator
    state = None if sampler is None else ops.convert_to_numpy(sampler.state)
    history = model.fit(x, y, batch_size=4, epochs=3, verbose=0)
    values = history.history["loss"]
    assert np.all(np.isfinite(values))
    after = ops.convert_to_numpy(model.embedding.embeddings)
    assert not np.allclose(before[1:], after[1:])
    if sampler is not None:  # negatives were redrawn at every step
        assert not np.array_equal(state, ops.convert_to_numpy(sampler.state))
    if name == "softmax":  # deterministic: the loss must go down
        assert values[-1] < values[0]
