"""gSASRec's generalised binary cross-entropy (gBCE)."""

from typing import Any

import keras
from keras import ops

from keras_rec_tx.losses.retrieval_loss import RetrievalLoss
from keras_rec_tx.utils import check_float, check_int


@keras.saving.register_keras_serializable(package="keras_rec_tx")
class GBCELoss(RetrievalLoss):
    """Generalised binary cross-entropy over sampled negatives.

    gBCE (Petrov and Macdonald, 2023) raises the positive's sigmoid to the
    power `beta` to undo the overconfidence that negative sampling causes.
    With `k = num_negatives` negatives drawn uniformly from `1..N`, sampling
    rate `alpha = k / (N - 1)` and calibration `t` in `[0, 1]`:

    `beta = alpha * (t * (1 - 1 / alpha) + 1 / alpha)`

    `loss = (-beta * log sigmoid(s+) - sum_neg log(1 - sigmoid(s-))) / (k + 1)`

    per position (as in the paper and its reference code, the `k + 1` logits
    are averaged), then averaged over the valid positions. `t = 0` gives
    `beta = 1`, plain BCE; `t = 1` gives `beta = alpha`. As in the
    reference code, every position draws its own `k` negatives
    (`share_negatives="position"`); `"sequence"` shares a set per
    sequence and `"batch"` one set for the whole batch, which is cheaper
    but, with a large catalogue, hands each sampled item one large
    gradient instead of many small ones. As in the paper, a negative
    equal to the target is not removed.

    Args:
        num_items: int. Number of real items `N >= 2` (ids `1..N`).
        num_negatives: int. Negatives drawn per step (with replacement).
        t: float in `[0, 1]`. The calibration parameter.
        share_negatives: `"position"` (the paper), `"sequence"` or
            `"batch"`.
        seed: int. Seed of the sampler.
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Call arguments (and the scalar returned) as `RetrievalLoss`, with:
        negatives: optional int tensor `(B, L, num_negatives)` (or
            `(B, num_negatives)` per sequence, `(num_negatives,)` per
            batch): given negatives; drawn with `sample_negatives` when
            `None`.

    Example:

    ```python
    import numpy as np
    import keras_rec_tx

    loss = keras_rec_tx.losses.GBCELoss(num_items=5, num_negatives=3, seed=0)
    hidden = np.random.rand(1, 4, 4).astype("float32")
    targets = np.array([[1, 2, 3, 4]])
    weights = np.array([[1.0, 1.0, 2.0, 2.0]])  # later positions count more
    loss(hidden, targets, np.random.rand(6, 4), sample_weight=weights)
    ```

    References:
        - [Petrov and Macdonald, gSASRec: Reducing Overconfidence in
          Sequential Recommendation Trained with Negative Sampling](
          https://arxiv.org/abs/2308.07192)
    """

    def __init__(
        self,
        num_items: int | None = None,
        num_negatives: int = 256,
        t: float = 0.75,
        share_negatives: str = "position",
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(num_items=num_items, seed=seed, **kwargs)
        if num_items < 2:
            raise ValueError(
                f"GBCELoss needs at least 2 items. Received: "
                f"num_items={num_items}"
            )
        num_negatives = check_int("num_negatives", num_negatives, minimum=1)
        t = check_float("t", t, minimum=0.0, maximum=1.0)
        self.num_negatives = int(num_negatives)
        self.t = t
        self.share_negatives = self.check_share_negatives(share_negatives)

    @property
    def beta(self) -> float:
        """The power applied to the positive's sigmoid."""
        alpha = self.num_negatives / (self.num_items - 1)
        return alpha * (self.t * (1.0 - 1.0 / alpha) + 1.0 / alpha)

    def sample_negatives(self, targets: Any = None) -> Any:
        """Draws the negatives, uniform in `1..N`: int32 `(B, L, k)` per
        position, `(B, k)` per sequence or `(k,)` per batch."""
        if targets is None and self.share_negatives != "batch":
            raise ValueError(
                "Sampling negatives per sequence or position needs "
                "`targets`. Received: targets=None"
            )
        return self.sample_uniform(
            self.shared_shape(targets, self.share_negatives, self.num_negatives)
        )

    def position_losses(
        self, hidden: Any, targets: Any, embeddings: Any, negatives: Any
    ) -> Any:
        positive = ops.sum(hidden * ops.take(embeddings, targets, 0), -1)
        negative, _ = self.negative_logits(hidden, embeddings, negatives)
        total = self.beta * ops.softplus(-positive) + ops.sum(
            ops.softplus(negative), axis=-1
        )
        return total / (self.num_negatives + 1.0)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "num_negatives": self.num_negatives,
                "t": self.t,
                "share_negatives": self.share_negatives,
            }
        )
        return config
