"""Base class of the sparse-label, full-catalogue ranking metrics."""

from typing import Any

import keras

from keras_rec_tx.metrics.target_rank import target_rank
from keras_rec_tx.utils import check_int


@keras.saving.register_keras_serializable(package="keras_rec_tx")
class RankingMetric(keras.metrics.Mean):
    """Mean over examples of a function of the target's rank.

    The rank of the target is computed once per batch with
    `keras_rec_tx.metrics.target_rank` (no sort; ties pessimistic; `-inf`
    scores rank last) and mapped to a per-example value by
    `value_from_rank`, which subclasses define. The result is the
    (sample-weighted) mean of those values over all examples seen.

    Args:
        name: string. Name of the metric.
        dtype: dtype of the metric's state and result.

    Call arguments (`update_state`):
        y_true: int tensor `(B,)` (or `(B, 1)`): the index of the target in
            the last axis of `y_pred`.
        y_pred: float tensor `(B, C)`: scores of all candidate items.
        sample_weight: optional float tensor `(B,)`: per-example weights.

    Example:

    ```python
    import keras
    import keras_rec_tx


    class Top1(keras_rec_tx.metrics.RankingMetric):
        def value_from_rank(self, rank):
            return keras.ops.cast(rank < 1, "float32")


    m = Top1(name="top1")
    m.update_state([1], [[0.2, 0.7, 0.1]])
    m.result()  # 1.0
    ```
    """

    def value_from_rank(self, rank: Any) -> Any:
        """Maps float32 zero-based ranks `(B,)` to per-example values."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement `value_from_rank`."
        )

    def update_state(
        self, y_true: Any, y_pred: Any, sample_weight: Any = None
    ) -> None:
        self.update_state_from_rank(
            target_rank(y_true, y_pred), sample_weight=sample_weight
        )

    def update_state_from_rank(
        self, rank: Any, sample_weight: Any = None
    ) -> None:
        """Updates from zero-based ranks `(B,)` computed elsewhere (the
        model's chunked scoring of a large catalogue), with the semantics
        of `target_rank`."""
        values = self.value_from_rank(rank)
        super().update_state(values, sample_weight=sample_weight)


class CutoffRankingMetric(RankingMetric):
    """A `RankingMetric` with a cut-off `k`, named `"{prefix}@{k}"`.

    Holds what `RecallAtK` and `NDCGAtK` share: the checked `k`, the
    default name and the config; subclasses set `prefix` and define
    `value_from_rank`.

    Args:
        k: int. The cut-off, a positive integer.
        name: string. Defaults to `"{prefix}@{k}"`.
        dtype: dtype of the metric's state and result.
    """

    prefix = "metric"

    def __init__(self, k: int = 10, name: str | None = None, dtype: Any = None):
        k = check_int("k", k, minimum=1)
        super().__init__(name=name or f"{self.prefix}@{k}", dtype=dtype)
        self.k = int(k)

    def get_config(self) -> dict:
        return {**super().get_config(), "k": self.k}
