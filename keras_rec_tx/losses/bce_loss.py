"""SASRec's binary cross-entropy with one negative per position."""

from typing import Any

import keras
from keras import ops

from keras_rec_tx.losses.retrieval_loss import RetrievalLoss


@keras.saving.register_keras_serializable(package="keras_rec_tx")
class BCELoss(RetrievalLoss):
    """Binary cross-entropy of the target against one random negative.

    The loss of the original SASRec: per position,
    `-log sigmoid(s_pos) - log(1 - sigmoid(s_neg))
    = softplus(-s_pos) + softplus(s_neg)` (computed stably), averaged over
    the valid positions. Each position draws its own negative uniformly
    from the items other than its target (SASRec excludes the user's whole
    history; excluding the target keeps the draw in-graph and exact).

    Args:
        num_items: int. Number of real items `N >= 2` (ids `1..N`).
        seed: int. Seed of the sampler.
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Call arguments (and the scalar returned) as `RetrievalLoss`, with:
        negatives: optional int tensor `(B, L)`: given negatives; drawn with
            `sample_negatives(targets)` when `None`.

    Example:

    ```python
    import numpy as np
    import keras_rec_tx

    loss = keras_rec_tx.losses.BCELoss(num_items=5, seed=0)
    hidden = np.random.rand(2, 3, 4).astype("float32")  # (B, L, d)
    table = np.random.rand(6, 4).astype("float32")  # (num_items + 1, d)
    targets = np.array([[0, 1, 2], [3, 4, 5]])  # 0: no target
    negatives = np.array([[5, 3, 1], [1, 2, 3]])  # one per position
    loss(hidden, targets, table, negatives=negatives)  # a scalar
    ```

    References:
        - [Kang and McAuley, Self-Attentive Sequential Recommendation](
          https://arxiv.org/abs/1808.09781)
    """

    def __init__(
        self, num_items: int | None = None, seed: int | None = None, **kwargs
    ):
        super().__init__(num_items=num_items, seed=seed, **kwargs)
        if num_items < 2:
            raise ValueError(
                f"BCELoss needs at least 2 items. Received: "
                f"num_items={num_items}"
            )

    def sample_negatives(self, targets: Any) -> Any:
        """Draws one negative per position, uniform over items != target."""
        targets = ops.cast(targets, "int32")
        # Uniform on 1..N-1, then skip the target: uniform on 1..N minus {t}.
        draws = keras.random.randint(
            ops.shape(targets),
            minval=1,
            maxval=self.num_items,
            dtype="int32",
            seed=self.seed_generator,
        )
        return draws + ops.cast(draws >= targets, "int32")

    def position_losses(
        self, hidden: Any, targets: Any, embeddings: Any, negatives: Any
    ) -> Any:
        positive = ops.sum(hidden * ops.take(embeddings, targets, 0), -1)
        negative = ops.sum(hidden * ops.take(embeddings, negatives, 0), -1)
        return ops.softplus(-positive) + ops.softplus(negative)
