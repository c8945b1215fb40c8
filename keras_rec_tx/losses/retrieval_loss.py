"""Base class of the next-item retrieval losses."""

from typing import Any

import keras
from keras import ops

from keras_rec_tx.utils import check_int


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
        sample_weight: optional float tensor `(B,)` (one weight per
            sequence) or `(B, L)` (per position) that multiplies the
            losses; the divisor stays the number of valid positions.

    Returns:
        A float32 scalar: the (weighted) mean loss over the valid positions,
        `0.0` when there is none.

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
    # How sampled negatives are shared (see `shared_shape`).
    SHARE_NEGATIVES = ("batch", "sequence", "position")

    def __init__(
        self, num_items: int | None = None, seed: int | None = None, **kwargs
    ):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        num_items = check_int(
            "num_items", num_items, minimum=1, allow_none=True
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

    def check_share_negatives(self, share_negatives: str) -> str:
        """Validates a `share_negatives` argument and returns it."""
        if share_negatives not in self.SHARE_NEGATIVES:
            raise ValueError(
                f"`share_negatives` must be one of {self.SHARE_NEGATIVES}. "
                f"Received: share_negatives={share_negatives!r}"
            )
        return share_negatives

    def shared_shape(self, targets: Any, share: str, k: int) -> tuple:
        """Shape of `k` negatives shared per `share`: `(k,)` for the whole
        batch, `(B, k)` per sequence, `(B, L, k)` per position."""
        if share == "batch":
            return (k,)
        if share == "sequence":
            return (ops.shape(targets)[0], k)
        return (ops.shape(targets)[0], ops.shape(targets)[1], k)

    def negative_logits(
        self,
        hidden: Any,
        embeddings: Any,
        negatives: Any,
        dense: bool | None = None,
    ) -> tuple[Any, Any]:
        """Logits `(B, L, K)` of negatives shared per batch `(K,)`, per
        sequence `(B, K)` or per position `(B, L, K)`, and the negatives
        broadcast against `(B, L, K)` (to compare with the targets).

        Per-position negatives are scored in one of two equal ways:
        gathering `B * L * K` embedding rows, or (`dense`) scoring the whole
        catalogue with one matmul and picking the K columns of each
        position. By default the one that holds fewer floats: dense when
        `N + 1 <= K * d` (small catalogues; the gather's backward pass is a
        scatter-add of `B * L * K` rows, slow on GPUs).
        """
        rank = len(negatives.shape)
        if rank == 1:
            table = ops.take(embeddings, negatives, axis=0)
            logits = ops.matmul(hidden, ops.transpose(table))
            return logits, ops.reshape(negatives, (1, 1, -1))
        if rank == 2:
            table = ops.take(embeddings, negatives, axis=0)
            logits = ops.einsum("bld,bkd->blk", hidden, table)
            return logits, ops.expand_dims(negatives, 1)
        if dense is None:
            dense = (
                embeddings.shape[0] <= negatives.shape[-1] * hidden.shape[-1]
            )
        if dense:
            every_item = ops.matmul(hidden, ops.transpose(embeddings))
            logits = ops.take_along_axis(every_item, negatives, axis=-1)
        else:
            table = ops.take(embeddings, negatives, axis=0)
            logits = ops.einsum("bld,blkd->blk", hidden, table)
        return logits, negatives

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
        sample_weight: Any = None,
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
        if sample_weight is not None:
            weight = ops.cast(sample_weight, "float32")
            if len(weight.shape) == 1:
                weight = weight[:, None]
            losses = losses * weight
        # `where`, not a product: the value at invalid positions is ignored.
        total = ops.sum(ops.where(valid, losses, ops.zeros_like(losses)))
        count = ops.sum(ops.cast(valid, "float32"))
        return total / ops.maximum(count, 1.0)

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> None:
        return None

    def compute_output_shape(self, input_shape: Any, *args: Any) -> tuple:
        # A scalar loss whatever the shapes (`model.summary()` asks).
        return ()

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"num_items": self.num_items, "seed": self.seed})
        return config
