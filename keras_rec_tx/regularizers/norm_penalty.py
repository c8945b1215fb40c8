"""Penalty on the L2 norms of embedding rows."""

import keras
from keras import ops

_MODES = ("l2", "hinge")


@keras.saving.register_keras_serializable(package="keras_rec_tx")
class NormPenalty(keras.regularizers.Regularizer):
    """Penalizes the mean L2 norm of the rows (last axis) of a tensor.

    With `norms = ||x||_2` over the last axis (computed in float32):

    - `mode="l2"`: `strength * mean(norms)`
    - `mode="hinge"`: `strength * max(mean(norms) - tau, 0) ** 2`, which
      only acts once the mean norm exceeds `tau`.

    With a `mask` (shape `x.shape[:-1]`, bool or 0/1) the mean counts only
    the rows where the mask is True (0 when none is). The gradient of a zero
    row is 0 (not NaN), so zero padding embeddings are safe. Usable as a
    `kernel_regularizer`, `embeddings_regularizer` or
    `activity_regularizer`, or called directly with a mask. Note that Keras
    divides an activity regularizer's value by the batch size.

    Args:
        strength: float >= 0. Multiplier of the penalty.
        mode: str. `"l2"` or `"hinge"`.
        tau: float or None. Target mean norm, required by `"hinge"`.

    Call arguments:
        x: float tensor `(..., dim)`.
        mask: optional tensor `x.shape[:-1]`, True (or 1) for the rows to
            count.

    Example:

    ```python
    import keras
    import keras_rec_tx

    dense = keras.layers.Dense(
        8, activity_regularizer=keras_rec_tx.regularizers.NormPenalty(1e-3)
    )
    ```
    """

    def __init__(self, strength: float, mode: str = "l2", tau=None):
        if mode not in _MODES:
            raise ValueError(
                f"`mode` must be one of {_MODES}. Received: mode={mode!r}"
            )
        if strength is None or strength < 0:
            raise ValueError(
                f"`strength` must be >= 0. Received: strength={strength}"
            )
        if mode == "hinge" and tau is None:
            raise ValueError("mode='hinge' needs `tau`. Received: tau=None")
        self.strength = float(strength)
        self.mode = mode
        self.tau = None if tau is None else float(tau)

    def __call__(self, x, mask=None):
        x = ops.cast(x, "float32")
        squared = ops.sum(ops.square(x), axis=-1)
        positive = squared > 0
        # sqrt has an infinite gradient at 0: route zero rows around it.
        norms = ops.where(
            positive, ops.sqrt(ops.where(positive, squared, 1.0)), 0.0
        )
        if mask is None:
            mean_norm = ops.mean(norms)
        else:
            weights = ops.cast(mask, "float32")
            mean_norm = ops.sum(norms * weights) / ops.maximum(
                ops.sum(weights), 1.0
            )
        if self.mode == "hinge":
            return self.strength * ops.square(
                ops.maximum(mean_norm - self.tau, 0.0)
            )
        return self.strength * mean_norm

    def get_config(self):
        return {"strength": self.strength, "mode": self.mode, "tau": self.tau}
