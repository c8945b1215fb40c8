"""`make_norm`: the one place a norm name becomes a norm layer."""

from __future__ import annotations

from typing import Any

import keras

from keras_rec_tx.layers.rms_norm import RMSNorm
from keras_rec_tx.utils import check_choice

NORMS = ("layernorm", "rmsnorm")


def make_norm(
    norm: str,
    *,
    epsilon: float = 1e-6,
    use_bias: bool = True,
    dtype: Any = None,
    name: str | None = None,
) -> keras.layers.Layer:
    """A `"layernorm"` or `"rmsnorm"` layer, as every block and backbone of
    the package builds its norms (so a choice of norm means the same layer
    everywhere).

    `"layernorm"` is `keras.layers.LayerNormalization` (with a bias when
    `use_bias`); `"rmsnorm"` is `keras_rec_tx.layers.RMSNorm`, which has no
    bias (`LayerNormalization(rms_scaling=True)` still subtracts the mean).
    `epsilon` is added to the variance (mean square); Keras' LayerNorm
    default of 1e-3 is not used.

    Example:

    ```python
    import keras_rec_tx

    norm = keras_rec_tx.layers.make_norm("rmsnorm", name="final_norm")
    ```
    """
    check_choice("norm", norm, NORMS)
    if norm == "rmsnorm":
        return RMSNorm(epsilon=epsilon, dtype=dtype, name=name)
    return keras.layers.LayerNormalization(
        epsilon=epsilon, center=use_bias, dtype=dtype, name=name
    )
