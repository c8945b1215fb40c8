"""One shared test routine for every keras_rec_tx layer.

`run_layer_test` checks, in order:

1. config round trip: `from_config(get_config())` gives the same config;
2. symbolic call on `keras.KerasTensor`s (batch `None`) and
   `compute_output_shape`: output shape and compute dtype;
3. eager call: builds the layer, checks the weight count (and optionally the
   parameter count) and compares values with a numpy reference;
4. one `model.fit` step on tiny random data in a functional model: the loss
   is finite and the trainable weights move;
5. a `.keras` save / load round trip (no `custom_objects`) giving identical
   outputs.
"""

import keras
import numpy as np


def to_numpy(x):
    return keras.ops.convert_to_numpy(x)


def _dtype(array):
    return keras.backend.standardize_dtype(np.asarray(array).dtype)


def _functional_model(layer, inputs, call_kwargs):
    """A model `{inputs, **call_kwargs} -> layer(...)`, trainable end to end."""
    symbolic = {
        name: keras.Input(
            shape=np.shape(value)[1:], dtype=_dtype(value), name=name
        )
        for name, value in {"inputs": inputs, **call_kwargs}.items()
    }
    x = symbolic["inputs"]
    if not layer.trainable_weights and _dtype(inputs).startswith("float"):
        # Weight-free layers: give `fit` something to train.
        x = keras.layers.Dense(np.shape(inputs)[-1])(x)
    kwargs = {k: v for k, v in symbolic.items() if k != "inputs"}
    return keras.Model(symbolic, layer(x, **kwargs))


def run_layer_test(
    layer_cls,
    init_kwargs,
    inputs,
    *,
    expected_output_shape,
    expected_num_weights,
    tmp_path,
    call_kwargs=None,
    expected_num_params=None,
    reference_fn=None,
    atol=1e-5,
    run_fit=True,
):
    """Runs the standard checks on `layer_cls(**init_kwargs)`.

    Args:
        layer_cls: the layer class.
        init_kwargs: dict of constructor arguments.
        inputs: numpy array, the first positional call argument.
        expected_output_shape: tuple, the output shape for `inputs`.
        expected_num_weights: int, `len(layer.weights)` once built.
        tmp_path: pytest's `tmp_path`, for the `.keras` file.
        call_kwargs: dict of numpy arrays passed as keyword call arguments.
        expected_num_params: optional int, `layer.count_params()`.
        reference_fn: optional `fn(layer, inputs, **call_kwargs)` returning
            the expected output as a numpy array (it may read the weights).
        atol: tolerance of the reference comparison.
        run_fit: whether to run the `fit` step.

    Returns:
        The eagerly built layer.
    """
    call_kwargs = call_kwargs or {}

    # 1. Config round trip.
    layer = layer_cls(**init_kwargs)
    config = layer.get_config()
    assert layer_cls.from_config(config).get_config() == config

    # 2. Symbolic shape and dtype.
    def symbolic(value):
        shape = (None,) + tuple(np.shape(value)[1:])
        return keras.KerasTensor(shape, dtype=_dtype(value))

    sym_out = layer(
        symbolic(inputs),
        **{k: symbolic(v) for k, v in call_kwargs.items()},
    )
    assert tuple(sym_out.shape) == (None,) + tuple(expected_output_shape[1:])
    assert keras.backend.standardize_dtype(sym_out.dtype) == layer.compute_dtype
    output_shape = layer.compute_output_shape(np.shape(inputs))
    assert tuple(output_shape) == tuple(expected_output_shape)

    # 3. Eager values, build and weight counts.
    layer = layer_cls(**init_kwargs)
    output = layer(inputs, **call_kwargs)
    assert tuple(output.shape) == tuple(expected_output_shape)
    assert keras.backend.standardize_dtype(output.dtype) == layer.compute_dtype
    assert len(layer.weights) == expected_num_weights, [
        w.path for w in layer.weights
    ]
    if expected_num_params is not None:
        assert layer.count_params() == expected_num_params
    if reference_fn is not None:
        np.testing.assert_allclose(
            to_numpy(output),
            reference_fn(layer, inputs, **call_kwargs),
            atol=atol,
            rtol=atol,
        )

    # 4. One fit step.
    model = _functional_model(layer_cls(**init_kwargs), inputs, call_kwargs)
    data = {"inputs": inputs, **call_kwargs}
    if run_fit:
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        before = [to_numpy(w).copy() for w in model.trainable_weights]
        target = np.random.default_rng(0).normal(size=expected_output_shape)
        history = model.fit(
            data,
            target.astype("float32"),
            batch_size=len(inputs),
            epochs=1,
            verbose=0,
        )
        assert np.isfinite(history.history["loss"][0])
        after = [to_numpy(w) for w in model.trainable_weights]
        assert any(
            not np.array_equal(a, b) for a, b in zip(before, after, strict=True)
        )

    # 5. Save / load round trip.
    path = str(tmp_path / f"{layer_cls.__name__}.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(
        to_numpy(loaded(data, training=False)),
        to_numpy(model(data, training=False)),
        atol=1e-6,
    )
    return layer


def check_mixed_precision(layer, inputs, dtype="bfloat16", **call_kwargs):
    """Calls a layer built with a mixed policy: finite, in `dtype`."""
    output = layer(inputs, **call_kwargs)
    assert keras.backend.standardize_dtype(output.dtype) == dtype
    values = to_numpy(keras.ops.cast(output, "float32"))
    assert np.all(np.isfinite(values))
    return values
