"""Sampled softmax with logQ correction and shared negatives."""

import math
from typing import Any

import keras
import numpy as np
from keras import ops

from keras_rec_tx.losses.retrieval_loss import RetrievalLoss
from keras_rec_tx.utils import check_int

# Logit given to masked candidates: finite, so no inf - inf = NaN.
_MASKED_LOGIT = -1e9


@keras.saving.register_keras_serializable(package="keras_rec_tx")
class SampledSoftmaxLoss(RetrievalLoss):
    """Softmax over the target and `num_negatives` sampled items.

    With `share_negatives="batch"` one set of negatives is drawn per call
    and shared by every position of the batch; with `"sequence"` each
    sequence of the batch gets its own set (more distinct negatives per
    step, `B * num_negatives` instead of `num_negatives`); with
    `"position"` every position gets its own set (`B * L * num_negatives`
    negatives; see `negative_logits` for how they are scored).
    Negatives are
    drawn uniformly from `1..N` or in proportion to item popularity
    (`sampling="popularity"`, counts set with `set_item_counts`). For each
    position the candidates are `[target, negatives]` and the loss is the
    cross-entropy of the target among them.

    - logQ correction (Yi et al. 2019): `log q(item)`, the log probability
      that the sampler draws `item`, is subtracted from every candidate
      logit, positive and negatives, so the sampled softmax estimates the
      full softmax without a popularity bias. Under uniform sampling it is a
      constant shift and changes nothing.
    - Accidental hits: a negative equal to the position's target gets a
      logit of `-1e9` (finite, so no NaN) and contributes nothing.

    Args:
        num_items: int. Number of real items `N` (ids `1..N`, `0` = padding).
        num_negatives: int. Negatives drawn per step (with replacement).
        sampling: `"uniform"` or `"popularity"`.
        logq_correction: bool. Subtract `log q` from the candidate logits.
        remove_accidental_hits: bool. Mask negatives equal to the target.
        share_negatives: `"batch"`, `"sequence"` or `"position"`.
        seed: int. Seed of the sampler.
        **kwargs: base layer arguments (`name`, `dtype`, ...).

    Call arguments (and the scalar returned) as `RetrievalLoss`, with:
        negatives: optional int tensor `(num_negatives,)` (or
            `(B, num_negatives)` for `share_negatives="sequence"`,
            `(B, L, num_negatives)` for `"position"`): given negatives;
            drawn with `sample_negatives` when `None`.

    Example:

    ```python
    import numpy as np
    import keras_rec_tx

    loss = keras_rec_tx.losses.SampledSoftmaxLoss(
        num_items=5, num_negatives=3, sampling="popularity", seed=0
    )
    loss.set_item_counts(np.array([0, 10, 5, 1, 1, 1]))
    hidden = np.random.rand(2, 3, 4).astype("float32")
    targets = np.array([[0, 1, 2], [3, 4, 5]])
    table = np.random.rand(6, 4).astype("float32")
    loss(hidden, targets, table)  # scalar
    ```

    References:
        - [Yi et al., Sampling-Bias-Corrected Neural Modeling for Large
          Corpus Item Recommendations](https://doi.org/10.1145/3298689.3346996)
        - [Bengio and Senécal, Adaptive Importance Sampling to Accelerate
          Training of a Neural Probabilistic Language Model](
          https://doi.org/10.1109/TNN.2007.912312)
    """

    def __init__(
        self,
        num_items: int | None = None,
        num_negatives: int = 256,
        sampling: str = "uniform",
        logq_correction: bool = True,
        remove_accidental_hits: bool = True,
        share_negatives: str = "batch",
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(num_items=num_items, seed=seed, **kwargs)
        num_negatives = check_int("num_negatives", num_negatives, minimum=1)
        if sampling not in ("uniform", "popularity"):
            raise ValueError(
                '`sampling` must be "uniform" or "popularity". Received: '
                f"sampling={sampling}"
            )
        self.share_negatives = self.check_share_negatives(share_negatives)
        self.num_negatives = int(num_negatives)
        self.sampling = sampling
        self.logq_correction = logq_correction
        self.remove_accidental_hits = remove_accidental_hits
        self.item_log_probs = None
        # The table's shape is known now: build at once, so that the state
        # exists before any compiled (e.g. jitted) step first calls the loss.
        self.build()

    def build(self, input_shape: Any = None) -> None:
        if self.sampling == "popularity" and self.item_log_probs is None:
            # log q(item) of items 0..N (entry 0 unused); uniform until
            # `set_item_counts` is called.
            self.item_log_probs = self.add_weight(
                name="item_log_probs",
                shape=(self.num_items + 1,),
                initializer=keras.initializers.Constant(
                    -math.log(self.num_items)
                ),
                trainable=False,
                dtype="float32",
                autocast=False,
            )

    def set_item_counts(self, counts: Any) -> None:
        """Sets the popularity sampling distribution from item counts.

        Args:
            counts: array of length `num_items + 1`: how often each item
                occurs (e.g. as a training target); index 0 is ignored.
                Items with count 0 get probability `1e-12` so every log
                probability stays finite.
        """
        if self.sampling != "popularity":
            raise ValueError(
                'Item counts are only used with sampling="popularity". '
                f"Received: sampling={self.sampling}"
            )
        counts = np.asarray(counts, dtype="float64")
        if counts.shape != (self.num_items + 1,):
            raise ValueError(
                f"`counts` must have shape (num_items + 1,) = "
                f"({self.num_items + 1},). Received: counts.shape="
                f"{counts.shape}"
            )
        item_counts = counts[1:]
        if np.any(item_counts < 0) or item_counts.sum() <= 0:
            raise ValueError(
                "`counts` must be non-negative with a positive sum over "
                f"items 1..N. Received: counts={counts}"
            )
        probs = np.maximum(item_counts / item_counts.sum(), 1e-12)
        probs /= probs.sum()
        log_probs = np.concatenate([[0.0], np.log(probs)]).astype("float32")
        self.item_log_probs.assign(log_probs)

    def log_q(self, items: Any) -> Any:
        """float32 log probability that the sampler draws each of `items`."""
        if self.sampling == "uniform":
            return ops.zeros_like(items, "float32") - math.log(self.num_items)
        return ops.take(self.item_log_probs, items, axis=0)

    def sample_negatives(self, targets: Any = None) -> Any:
        """Draws the negatives: int32 in `1..N`, `(num_negatives,)`, per
        sequence `(B, num_negatives)` or per position
        `(B, L, num_negatives)`."""
        shape = self.shared_shape(
            targets, self.share_negatives, self.num_negatives
        )
        if self.sampling == "uniform":
            return self.sample_uniform(shape)
        rows = math.prod(shape[:-1]) if len(shape) > 1 else 1
        logits = ops.expand_dims(self.item_log_probs[1:], 0)
        draws = keras.random.categorical(
            ops.repeat(logits, rows, axis=0),
            self.num_negatives,
            dtype="int32",
            seed=self.seed_generator,
        )
        return ops.reshape(draws + 1, shape)

    def position_losses(
        self, hidden: Any, targets: Any, embeddings: Any, negatives: Any
    ) -> Any:
        positive_emb = ops.take(embeddings, targets, axis=0)
        positive = ops.sum(hidden * positive_emb, axis=-1)
        negative, per_row = self.negative_logits(hidden, embeddings, negatives)
        # Under uniform sampling log q is one constant for every candidate,
        # positive and negatives alike: it cancels, so it is not applied
        # (two passes over the (B, L, K) logits saved).
        if self.logq_correction and self.sampling != "uniform":
            positive = positive - self.log_q(targets)
            negative = negative - self.log_q(per_row)
        if self.remove_accidental_hits:
            hits = ops.equal(ops.expand_dims(targets, -1), per_row)
            negative = ops.where(hits, _MASKED_LOGIT, negative)
        # -log softmax of the target among [target, negatives]:
        # logsumexp([p, n]) - p = softplus(logsumexp(n) - p), which never
        # builds the (B, L, K + 1) concatenation of the candidate logits.
        return ops.softplus(ops.logsumexp(negative, axis=-1) - positive)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "num_negatives": self.num_negatives,
                "sampling": self.sampling,
                "logq_correction": self.logq_correction,
                "remove_accidental_hits": self.remove_accidental_hits,
                "share_negatives": self.share_negatives,
            }
        )
        return config
