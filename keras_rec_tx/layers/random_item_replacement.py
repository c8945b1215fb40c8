"""Random replacement of history items (stochastic shared embeddings)."""

import keras
from keras import ops

from keras_rec_tx.utils import check_float, check_int


@keras.saving.register_keras_serializable(package="keras_rec_tx")
class RandomItemReplacement(keras.layers.Layer):
    """Replaces each history item by a uniformly random item while training.

    Each non-padding id (ids `> 0`) is swapped, with probability `rate`, for
    an id drawn uniformly from `1..num_items`; padding (`0`) is never
    touched, and outside training the ids pass through unchanged. This is
    the item-side regularizer of stochastic shared embeddings (SSE, Wu et
    al. 2019), which SSE-PT applies to SASRec's input sequences. Unlike
    SSE-PT's sampler, the targets the loss scores are left as they are.

    Args:
        num_items: int. Items are ids `1..num_items`.
        rate: float in `[0, 1)`. Probability that an item is replaced.
        seed: int or `None`. Seed of the random draws.
        **kwargs: base layer arguments (`name`, ...).

    Call arguments:
        inputs: integer tensor of item ids, any shape, `0` for padding.
        training: bool. Replace only when `True`.

    Example:

    ```python
    import numpy as np
    import keras_rec_tx

    replace = keras_rec_tx.layers.RandomItemReplacement(num_items=100, rate=0.1)
    ids = np.array([[0, 0, 5, 7, 9]], "int32")
    noisy = replace(ids, training=True)  # padding stays 0
    ```

    References:
        - [Wu et al., Stochastic Shared Embeddings: Data-driven
          Regularization of Embedding Layers, NeurIPS 2019](
          https://arxiv.org/abs/1905.10630)
        - [Wu et al., SSE-PT: Sequential Recommendation Via Personalized
          Transformer, RecSys 2020](https://arxiv.org/abs/1908.05435)
    """

    def __init__(
        self,
        num_items: int,
        rate: float,
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.num_items = check_int("num_items", num_items, minimum=1)
        self.rate = check_float("rate", rate, minimum=0.0, below=1.0)
        self.seed = seed
        # Like `keras.layers.Dropout`: no random state (no variable) at 0.
        if self.rate > 0:
            self.seed_generator = keras.random.SeedGenerator(seed)
        self.built = True

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        shape = ops.shape(inputs)
        draw = keras.random.uniform(shape, seed=self.seed_generator)
        random_ids = keras.random.randint(
            shape, 1, self.num_items + 1, seed=self.seed_generator
        )
        replace = ops.logical_and(ops.greater(inputs, 0), draw < self.rate)
        return ops.where(replace, ops.cast(random_ids, inputs.dtype), inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {"num_items": self.num_items, "rate": self.rate, "seed": self.seed}
        )
        return config
