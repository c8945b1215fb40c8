"""Rotary position embedding (RoPE)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_rec_tx")
class RotaryEmbedding(keras.layers.Layer):
    """Rotary position embedding: rotates feature pairs by position.

    Follows the keras_hub "rotate half" convention: the feature axis is split
    into halves `x1, x2` and

    ```
    inverse_freq = 1 / max_wavelength ** (arange(0, dim, 2) / dim)
    freqs = (positions / scaling_factor) * inverse_freq
    angle = concat([freqs, freqs])
    out = x * cos(angle) + concat([-x2, x1]) * sin(angle)
    ```

    so the dot product of a rotated query at position `m` and a rotated key
    at position `n` depends only on `m - n`. Sines and cosines are computed
    in float32 and cast to the compute dtype. The layer has no weights.

    Args:
        max_wavelength: int. The largest wavelength of the sinusoids.
        scaling_factor: float. Positions are divided by this factor
            (linear position interpolation).
        sequence_axis: int. The sequence axis of the inputs.
        feature_axis: int. The feature axis of the inputs (even size).
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Call arguments:
        inputs: float tensor `(batch, seq, ..., dim)`, any extra axes (such as
            heads) between the sequence and feature axes.
        positions: optional int or float tensor `(batch, seq)` or `(seq,)`
            of explicit positions. Defaults to `0 .. seq - 1`.

    Example:

    ```python
    import numpy as np
    import keras_rec_tx

    rope = keras_rec_tx.layers.RotaryEmbedding()
    q = np.random.rand(2, 5, 4, 8).astype("float32")  # (batch, seq, heads, dim)
    rotated = rope(q)  # same shape
    ```

    References:
        - [Su et al., RoFormer: Enhanced Transformer with Rotary Position
          Embedding](https://arxiv.org/abs/2104.09864)
    """

    def __init__(
        self,
        max_wavelength: int = 10000,
        scaling_factor: float = 1.0,
        sequence_axis: int = 1,
        feature_axis: int = -1,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if max_wavelength <= 0:
            raise ValueError(
                "`max_wavelength` must be positive. "
                f"Received: max_wavelength={max_wavelength}"
            )
        if scaling_factor <= 0:
            raise ValueError(
                "`scaling_factor` must be positive. "
                f"Received: scaling_factor={scaling_factor}"
            )
        self.max_wavelength = max_wavelength
        self.scaling_factor = scaling_factor
        self.sequence_axis = sequence_axis
        self.feature_axis = feature_axis
        # Keep float `positions` out of a half-precision autocast; the inputs
        # are cast to the compute dtype in `call`.
        self.autocast = False

    def _axes(self, rank):
        seq_axis = self.sequence_axis % rank
        feat_axis = self.feature_axis % rank
        if seq_axis == feat_axis:
            raise ValueError(
                "`sequence_axis` and `feature_axis` must differ. Received: "
                f"sequence_axis={self.sequence_axis}, "
                f"feature_axis={self.feature_axis}"
            )
        return seq_axis, feat_axis

    def build(self, input_shape):
        _, feat_axis = self._axes(len(input_shape))
        dim = input_shape[feat_axis]
        if dim is not None and dim % 2:
            raise ValueError(
                "The feature dimension must be even. "
                f"Received: input_shape={input_shape}"
            )

    def call(self, inputs, positions=None):
        seq_axis, feat_axis = self._axes(len(inputs.shape))
        x = ops.cast(inputs, self.compute_dtype)
        # Non-negative axes, and no transpose when already in place: torch's
        # ONNX exporter writes `moveaxis(..., -1)` as an invalid Transpose.
        inner = (1, len(inputs.shape) - 1)
        moved = (seq_axis, feat_axis) != inner
        if moved:
            x = ops.moveaxis(x, (seq_axis, feat_axis), inner)
        dim = x.shape[-1]
        inverse_freq = 1.0 / ops.power(
            float(self.max_wavelength),
            ops.arange(0, dim, 2, dtype="float32") / float(dim),
        )
        if positions is None:
            positions = ops.arange(ops.shape(x)[1], dtype="float32")
        positions = ops.cast(positions, "float32") / self.scaling_factor
        if len(positions.shape) == 1:
            positions = positions[None, :]
        freqs = positions[:, :, None] * inverse_freq  # (batch|1, seq, dim/2)
        angle = ops.concatenate([freqs, freqs], axis=-1)
        # Broadcast over any axes between the sequence and feature axes.
        for _ in range(len(x.shape) - 3):
            angle = ops.expand_dims(angle, axis=-2)
        cos = ops.cast(ops.cos(angle), self.compute_dtype)
        sin = ops.cast(ops.sin(angle), self.compute_dtype)
        x1, x2 = ops.split(x, 2, axis=-1)
        rotated = ops.concatenate([-x2, x1], axis=-1)
        out = x * cos + rotated * sin
        if moved:
            out = ops.moveaxis(out, inner, (seq_axis, feat_axis))
        return out

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "max_wavelength": self.max_wavelength,
                "scaling_factor": self.scaling_factor,
                "sequence_axis": self.sequence_axis,
                "feature_axis": self.feature_axis,
            }
        )
        return config
