"""Dropout whose JAX mask comes from a keyed counter hash."""

from typing import Any

import keras
import numpy as np
from keras import ops

# Wellons' "triple32" integer hash (https://nullprogram.com/blog/2018/07/31/,
# the lowest-bias 32-bit hash of its search): a bijection of uint32 in which
# every input bit flips every output bit with probability ~1/2.
_SHIFTS = (17, 11, 15, 14)
_MULTIPLIERS = tuple(np.uint32(m) for m in (0xED5AD4BB, 0xAC4C1B51, 0x31848BAB))


def _triple32(x: Any) -> Any:
    x = ops.bitwise_xor(x, ops.right_shift(x, _SHIFTS[0]))
    for multiplier, shift in zip(_MULTIPLIERS, _SHIFTS[1:]):
        x = ops.multiply(x, multiplier)  # wraps modulo 2**32
        x = ops.bitwise_xor(x, ops.right_shift(x, shift))
    return x


@keras.saving.register_keras_serializable(package="keras_rec_tx")
class HashDropout(keras.layers.Dropout):
    """`keras.layers.Dropout` with a cheaper random mask on JAX.

    On TensorFlow and PyTorch this is `keras.layers.Dropout`, unchanged
    (same masks from the same seed). On JAX, Keras draws the mask with
    `jax.random.bernoulli`, whose threefry kernel is lowered on CPU as a
    rolled loop that writes two uint32 arrays of the mask's size in each
    of its 5 iterations: on a CPU training step of `rope_swiglu` the
    masks are a visible share of the step (a profile in issue 22). Here
    the mask is `hash(hash(i ^ k1) ^ k2) < keep * 2**32` for the element
    index `i`, with `hash` a 32-bit avalanche hash (Wellons' triple32, a
    bijection) and `k1, k2` two 31-bit words drawn at every call from the
    layer's `keras.random.SeedGenerator` (threefry, as before): one fused
    elementwise pass, reproducible from `seed` and new at every step. This
    is the counter-based design of Philox and Threefry (a keyed bijection
    of the element index) with fewer rounds: plenty for a dropout mask,
    not meant as a general-purpose generator. The keep probability is
    exact to 2**-32.

    Args and call arguments: as `keras.layers.Dropout` (with `noise_shape`
    the JAX path falls back to Keras' mask).

    Example:

    ```python
    import numpy as np
    import keras_rec_tx

    layer = keras_rec_tx.layers.HashDropout(0.2, seed=0)
    y = layer(np.ones((4, 8), "float32"), training=True)  # 0 or 1.25
    ```
    """

    def call(self, inputs: Any, training: bool = False) -> Any:
        if (
            not training
            or self.rate <= 0
            or self.noise_shape is not None
            or keras.backend.backend() != "jax"
        ):
            return super().call(inputs, training=training)
        keep = 1.0 - self.rate
        shape = tuple(inputs.shape)
        keys = ops.cast(
            keras.random.randint(
                (2,), 0, 2**31 - 1, dtype="int32", seed=self.seed_generator
            ),
            "uint32",
        )
        index = ops.reshape(
            ops.arange(int(np.prod(shape)), dtype="uint32"), shape
        )
        bits = _triple32(ops.bitwise_xor(index, keys[0]))
        bits = _triple32(ops.bitwise_xor(bits, keys[1]))
        mask = ops.less(bits, np.uint32(min(int(keep * 2**32), 2**32 - 1)))
        return ops.where(mask, inputs / keep, ops.zeros_like(inputs))
