"""Gated linear unit feed-forward block (SwiGLU / GeGLU)."""

import keras
from keras import ops

from keras_rec_tx.layers.hash_dropout import HashDropout
from keras_rec_tx.utils import check_float, check_int


def glu_hidden_dim(d_model: int, d_ff: int, use_bias: bool = False) -> int:
    """GLU hidden width with the parameter count of a plain 2-layer FFN.

    A plain FFN `d_model -> d_ff -> d_model` has `2 * d_model * d_ff`
    weights (plus `d_ff + d_model` biases). A GLU block with hidden width
    `h` has three matrices, `3 * d_model * h` weights (plus `2 * h + d_model`
    biases). Equating the two with `b = 1 if use_bias else 0`:

    ```
    h = d_ff * (2 * d_model + b) / (3 * d_model + 2 * b)
    ```

    i.e. `2 / 3 * d_ff` without biases, rounded to the nearest integer (so
    the counts match up to a relative error of about `1 / (2 * h)`).

    Args:
        d_model: int. Model (input and output) width.
        d_ff: int. Hidden width of the plain FFN to match.
        use_bias: bool. Whether both blocks use biases.

    Returns:
        int: the matching GLU hidden width (at least 1).

    Example:

    ```python
    import keras_rec_tx

    keras_rec_tx.layers.glu_hidden_dim(64, 256)  # 171
    ```
    """
    if d_model <= 0 or d_ff <= 0:
        raise ValueError(
            "`d_model` and `d_ff` must be positive. "
            f"Received: d_model={d_model}, d_ff={d_ff}"
        )
    b = 1 if use_bias else 0
    return max(1, round(d_ff * (2 * d_model + b) / (3 * d_model + 2 * b)))


@keras.saving.register_keras_serializable(package="keras_rec_tx")
class SwiGLUDense(keras.layers.Layer):
    """Gated feed-forward block: `W_out(act(W_gate x) * (W_up x))`.

    With `activation="silu"` this is SwiGLU, with `"gelu"` GeGLU; any Keras
    activation name works. The gate activation and the product are computed
    in float32 and cast back to the compute dtype. Use `glu_hidden_dim` to
    pick a `hidden_dim` with the parameter count of a plain FFN.

    Args:
        hidden_dim: int. Width of the gated hidden layer.
        output_dim: int or None. Output width; `None` means the input width.
        activation: str or callable. Gate activation (`"silu"`, `"gelu"`,
            ...).
        use_bias: bool. Whether the three projections have biases.
        kernel_initializer: initializer for the three kernels.
        bias_initializer: initializer for the biases.
        dropout: float. Dropout rate on the gated hidden activations (after
            the activation, before `W_out`), as in a plain FFN.
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Call arguments:
        inputs: float tensor `(..., input_dim)`.
        training: bool. Whether dropout is active.

    Example:

    ```python
    import numpy as np
    import keras_rec_tx

    ffn = keras_rec_tx.layers.SwiGLUDense(hidden_dim=32)
    y = ffn(np.random.rand(2, 5, 16).astype("float32"))  # (2, 5, 16)
    ```

    References:
        - [Shazeer, GLU Variants Improve Transformer](
          https://arxiv.org/abs/2002.05202)
    """

    def __init__(
        self,
        hidden_dim: int,
        output_dim: int | None = None,
        activation="silu",
        use_bias: bool = False,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        dropout: float = 0.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        hidden_dim = check_int("hidden_dim", hidden_dim, minimum=1)
        output_dim = check_int(
            "output_dim", output_dim, minimum=1, allow_none=True
        )
        dropout = check_float("dropout", dropout, minimum=0.0, below=1.0)
        self.hidden_dim = hidden_dim
        self.output_dim = output_dim
        self.activation = keras.activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.dropout = dropout

    def _dense(self, units, name):
        return keras.layers.Dense(
            units,
            use_bias=self.use_bias,
            # Clones: a shared initializer instance gives identical kernels.
            kernel_initializer=self.kernel_initializer.__class__.from_config(
                self.kernel_initializer.get_config()
            ),
            bias_initializer=self.bias_initializer.__class__.from_config(
                self.bias_initializer.get_config()
            ),
            dtype=self.dtype_policy,
            name=name,
        )

    def build(self, input_shape):
        input_dim = input_shape[-1]
        out_dim = self.output_dim or input_dim
        self.gate_dense = self._dense(self.hidden_dim, "gate")
        self.up_dense = self._dense(self.hidden_dim, "up")
        self.output_dense = self._dense(out_dim, "output")
        self.dropout_layer = HashDropout(self.dropout, dtype=self.dtype_policy)
        self.gate_dense.build(input_shape)
        self.up_dense.build(input_shape)
        self.output_dense.build(tuple(input_shape[:-1]) + (self.hidden_dim,))

    def call(self, inputs, training=None):
        gate = ops.cast(self.gate_dense(inputs), "float32")
        up = ops.cast(self.up_dense(inputs), "float32")
        hidden = ops.cast(self.activation(gate) * up, self.compute_dtype)
        hidden = self.dropout_layer(hidden, training=training)
        return self.output_dense(hidden)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.output_dim or input_shape[-1],)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "hidden_dim": self.hidden_dim,
                "output_dim": self.output_dim,
                "activation": keras.activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": keras.initializers.serialize(
                    self.kernel_initializer
                ),
                "bias_initializer": keras.initializers.serialize(
                    self.bias_initializer
                ),
                "dropout": self.dropout,
            }
        )
        return config
