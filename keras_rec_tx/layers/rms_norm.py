"""Root mean square layer normalization."""

import keras
from keras import ops

from keras_rec_tx.utils import check_float, check_int


@keras.saving.register_keras_serializable(package="keras_rec_tx")
class RMSNorm(keras.layers.Layer):
    """Root mean square normalization: `x / sqrt(mean(x**2) + eps) * scale`.

    Unlike `keras.layers.LayerNormalization(rms_scaling=True)`, which still
    subtracts the mean, this layer neither centres the input nor adds a bias.
    It computes in float32 and casts the result back to the compute dtype
    (safe under mixed precision).

    The formula is written in plain `keras.ops` (`rsqrt`, `mean`, `square`),
    which is what `keras.ops.rms_normalization` runs on TensorFlow and JAX.
    On torch that op dispatches to `aten::rms_norm`, which the ONNX exporter
    cannot translate below opset 23 (and onnxruntime lacks), so the plain
    formula keeps `keras_rec_tx.serving.export(..., format="onnx")` working
    on every backend; on torch it differs from the fused op by float32
    rounding only (below 1e-6).

    Args:
        epsilon: float. Added to the mean square for numerical stability.
        axis: int. The axis to normalize over.
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Call arguments:
        inputs: float tensor of any rank.

    Example:

    ```python
    import numpy as np
    import keras_rec_tx

    norm = keras_rec_tx.layers.RMSNorm()
    y = norm(np.random.rand(2, 5, 8).astype("float32"))  # (2, 5, 8)
    ```

    References:
        - [Zhang and Sennrich, Root Mean Square Layer Normalization](
          https://arxiv.org/abs/1910.07467)
    """

    def __init__(self, epsilon: float = 1e-6, axis: int = -1, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = check_float("epsilon", epsilon, minimum=0.0)
        self.axis = check_int("axis", axis)
        # Inputs and the scale stay in their own dtype: we compute in float32.
        self.autocast = False

    def build(self, input_shape):
        self.scale = self.add_weight(
            name="scale",
            shape=(input_shape[self.axis],),
            initializer="ones",
            autocast=False,
        )

    def call(self, inputs):
        x = ops.cast(inputs, "float32")
        axis = self.axis % len(x.shape)
        last = len(x.shape) - 1
        if axis != last:
            x = ops.moveaxis(x, axis, -1)
        mean_square = ops.mean(ops.square(x), axis=-1, keepdims=True)
        y = x * ops.rsqrt(mean_square + self.epsilon)
        y = y * ops.cast(self.scale, "float32")
        if axis != last:
            y = ops.moveaxis(y, -1, axis)
        return ops.cast(y, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"epsilon": self.epsilon, "axis": self.axis})
        return config
