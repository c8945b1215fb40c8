"""Base class of the next-item retrieval losses."""

import numbers
from typing import Any

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_rec_tx")
class RetrievalLoss(keras.layers.Layer):
    """Base class: masked mean over positions, uniform negative sampler.

    A retrieval loss scores user representations against the item embedding
    table and returns a scalar: the mean of a per-position loss over the
    valid positions. It is a layer (not a `keras.losses.Loss`) because it
    needs the embedding table and owns sampling state (a
    `keras.random.SeedGenerator`, so negatives change at every step and are
    reproducible from `seed`); a model tracks it like any sublayer.

    Subclasses implement `position_losses(hidden, targets, embeddings,
    negatives)` and, when they sample (`uses_negatives = True`),
    `sample_negatives(targets)`.

    Logits are computed in float32. The layer's dtype defaults to
    `"float32"` (not the global policy), so a mixed-precision model's
    hidden states are upcast rather than the item table being downcast.

    Args:
        num_items: int. Number of real items `N`; item ids are `1..N` and `0`
            is padding. Required by the losses that sample negatives.
        seed: int. Seed of the negative sampler.
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Call arguments:
        hidden: float tensor `(B, L, d)`: user representations.
        targets: int tensor `(B, L)`: target item per position, `0` = none.
        embeddings: float tensor `(N + 1, d)`: the item table (row 0 =
            padding).
        mask: optional bool tensor `(B, L)`, combined (logical and) with
            `targets != 0`.
        negatives: optional int tensor of given negatives (shape as returned
            by `sample_negatives`); sampled when `None`.

    Returns:
        A float32 scalar: the mean loss over the valid positions, `0.0` when
        there is none.

    Example:

    ```python
    import keras
    import numpy as np
    import keras_rec_tx


    class HingeLoss(keras_rec_tx.losses.RetrievalLoss):
        def sample_negatives(self, targets):
            return self.sample_uniform(keras.ops.shape(targets))

        def position_losses(self, hidden, targets, embeddings, negatives):
            def score(items):
                return keras.ops.sum(
                    hidden * keras.ops.take(embeddings, items, 0), -1
                )

            return keras.ops.relu(1.0 - score(targets) + score(negatives))


    loss = HingeLoss(num_items=5, seed=0)
    hidden = np.random.rand(2, 3, 4).astype("float32")
    targets = np.array([[0, 1, 2], [3, 4, 5]])
    loss(hidden, targets, np.random.rand(6, 4).astype("float32"))
    ```
    """

    uses_negatives = True

    def __init__(
        self, num_items: int | None = None, seed: int | None = None, **kwargs
    ):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        if num_items is not None and (
            isinstance(num_items, bool)
            or not isinstance(num_items, numbers.Integral)
            or num_items < 1
        ):
            raise ValueError(
                f"`num_items` must be a positive int. Received: "
                f"num_items={num_items}"
            )
        if self.uses_negatives and num_items is None:
            raise ValueError(
                f"{type(self).__name__} samples negatives and needs "
                "`num_items`. Received: num_items=None"
            )
        self.num_items = None if num_items is None else int(num_items)
        self.seed = seed
        # `mask` is an argument of `call`, consumed here: accept it without
        # a warning and attach no mask to the scalar output.
        self.supports_masking = True
        self.seed_generator = None
        if self.uses_negatives:
            self.seed_generator = keras.random.SeedGenerator(seed)

    def sample_uniform(self, shape: Any) -> Any:
        """Draws int32 item ids uniformly from `1..num_items`."""
        return keras.random.randint(
            shape,
            minval=1,
            maxval=self.num_items + 1,
            dtype="int32",
            seed=self.seed_generator,
        )

    def sample_negatives(self, targets: Any) -> Any:
        """Returns the negatives used for `targets` (int32)."""
        raise NotImplementedError

    def position_losses(
        self, hidden: Any, targets: Any, embeddings: Any, negatives: Any
    ) -> Any:
        """Returns the float32 loss `(B, L)` of every position."""
        raise NotImplementedError

    def call(
        self,
        hidden: Any,
        targets: Any,
        embeddings: Any,
        mask: Any = None,
        negatives: Any = None,
    ) -> Any:
        hidden = ops.cast(hidden, "float32")
        embeddings = ops.cast(embeddings, "float32")
        targets = ops.cast(targets, "int32")
        valid = ops.not_equal(targets, 0)
        if mask is not None:
            valid = ops.logical_and(valid, ops.cast(mask, "bool"))
        if self.uses_negatives and negatives is None:
            negatives = self.sample_negatives(targets)
        if negatives is not None:
            negatives = ops.cast(negatives, "int32")
        losses = self.position_losses(hidden, targets, embeddings, negatives)
        # `where`, not a product: the value at invalid positions is ignored.
        total = ops.sum(ops.where(valid, losses, ops.zeros_like(losses)))
        count = ops.sum(ops.cast(valid, "float32"))
        return total / ops.maximum(count, 1.0)

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> None:
        return None

    def compute_output_shape(self, hidden_shape: Any) -> tuple:
        return ()

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"num_items": self.num_items, "seed": self.seed})
        return config
