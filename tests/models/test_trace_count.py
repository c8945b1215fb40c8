"""A fit over bucketed batches compiles one program per batch shape, not
one per batch or per epoch (issue 22, "compile once").

Where a backend traces (JAX `jax.jit`, TensorFlow `tf.function`), a Python
side effect inside the step runs only while the step is traced, so a
counter in a wrapper of `model.train_step` / `model.test_step` counts the
programs built. PyTorch runs the step eagerly: nothing is traced.
"""

import collections

import keras
import pytest

from keras_rec_tx import datasets
from keras_rec_tx.models import SequentialRecommender

pytestmark = pytest.mark.skipif(
    keras.backend.backend() == "torch",
    reason="PyTorch runs the train step eagerly: there is no trace to count",
)

MAX_LEN = 12


def tiny_model(num_items):
    model = SequentialRecommender(
        num_items=num_items,
        max_len=MAX_LEN,
        d_model=8,
        num_blocks=1,
        num_heads=1,
        d_ff=8,
        dropout=0.0,  # no random-number program to compile
        loss="softmax",
        seed=0,
    )
    model.compile(optimizer="adam")
    return model


def count_traces(model):
    """Wraps `train_step` and `test_step`; returns the trace counter.

    Keras builds its compiled step from `self.train_step` when the first
    batch arrives, so an instance attribute set before then is the one
    traced."""
    counts = collections.Counter()
    for name in ("train_step", "test_step"):
        step = getattr(model, name)

        def counted(*args, _step=step, _name=name, **kwargs):
            counts[_name] += 1
            return _step(*args, **kwargs)

        setattr(model, name, counted)
    return counts


def batch_shapes(batches):
    """The distinct `(batch, length)` shapes an epoch of `batches` has."""
    return {tuple(batches[i][0]["item_ids"].shape) for i in range(len(batches))}


def test_fit_compiles_at_most_one_program_per_bucket():
    """With the default batches (few bucket lengths chosen from the data,
    the last training batch padded to `batch_size`) and evaluation
    batches padded as the trainer pads them, a fit compiles at most one
    training program per bucket length and one evaluation program per
    evaluation bucket length: no extra program for the last batch."""
    data = datasets.synthetic(
        num_users=150, num_items=40, mean_length=6, min_length=3, seed=0
    )
    train, valid, _ = data.leave_one_out()
    # 125 training sequences, 32 a batch: the last batch has 29 rows. Two
    # buckets (max_buckets=2) keep the test fast; the default is 4.
    train_batches = train.batches(batch_size=32, max_len=MAX_LEN, max_buckets=2)
    valid_batches = valid.batches(
        batch_size=64, max_len=MAX_LEN, pad_last_batch=True, max_buckets=2
    )
    train_shapes = batch_shapes(train_batches)
    valid_shapes = batch_shapes(valid_batches)
    train_lengths = {length for _, length in train_shapes}
    valid_lengths = {length for _, length in valid_shapes}
    # Several buckets are used (the bound is not trivially 1), and a
    # batch's rows never make a shape of their own.
    assert len(train_lengths) == len(valid_lengths) == 2
    assert len(train_shapes) == len(train_lengths)
    assert len(valid_shapes) == len(valid_lengths)
    assert set(train_lengths) <= set(train_batches.bucket_lengths)
    unpadded = train.batches(
        batch_size=32, max_len=MAX_LEN, max_buckets=2, pad_last_batch=False
    )
    assert len(batch_shapes(unpadded)) > len(train_lengths)  # can fail
    model = tiny_model(data.num_items)
    counts = count_traces(model)
    epochs = 2
    model.fit(
        train_batches, validation_data=valid_batches, epochs=epochs, verbose=0
    )
    # The steps run epochs * len(batches) times; later epochs reuse the
    # first epoch's programs.
    assert 1 <= counts["train_step"] <= len(train_lengths)
    assert 1 <= counts["test_step"] <= len(valid_lengths)
    assert counts["train_step"] < epochs * len(train_batches)
    if keras.backend.backend() == "jax":
        # One program per shape: the counter does count new shapes, so the
        # bounds above can fail.
        assert counts["train_step"] == len(train_lengths) > 1
    else:
        # TensorFlow reads the PyDataset through a tf.data signature with
        # the length unknown: one graph, traced once, since `fit` builds
        # the optimizer's variables before the first trace (Keras alone
        # would create them in it, and trace again).
        assert counts["train_step"] == 1
    model.evaluate(valid_batches, verbose=0)
    assert counts["test_step"] <= len(valid_lengths)


@pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="Keras' JAX trainer builds the optimizer before it traces",
)
def test_train_on_batch_traces_once_on_tensorflow():
    """Keras' TensorFlow trainer would create the optimizer's variables in
    the first trace and trace again; the model builds them first."""
    data = datasets.synthetic(num_users=20, num_items=15, seed=0)
    train, _, _ = data.leave_one_out()
    batch = train.batches(batch_size=8, max_len=MAX_LEN)[0]
    model = tiny_model(data.num_items)
    counts = count_traces(model)
    for _ in range(3):
        model.train_on_batch(*batch)
    assert counts["train_step"] == 1
