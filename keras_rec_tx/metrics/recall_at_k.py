"""Recall@K (= hit rate@K for one target per example)."""

from typing import Any

import keras
from keras import ops

from keras_rec_tx.metrics.ranking_metric import RankingMetric
from keras_rec_tx.utils import check_int


@keras.saving.register_keras_serializable(package="keras_rec_tx")
class RecallAtK(RankingMetric):
    """Recall@K with one target per example: the fraction of targets ranked
    in the top `k` (also called hit rate@K, HR@K).

    Per example the value is `1` if `rank < k` else `0`, with the zero-based
    rank from `keras_rec_tx.metrics.target_rank` (full catalogue, no sort,
    pessimistic ties). The result is the sample-weighted mean.

    Args:
        k: int. The cut-off, a positive integer.
        name: string. Defaults to `"recall@{k}"`.
        dtype: dtype of the metric's state and result.

    Call arguments (`update_state`):
        y_true: int tensor `(B,)`: index of the target in `y_pred`'s last axis.
        y_pred: float tensor `(B, C)`: scores of all candidate items.
        sample_weight: optional float tensor `(B,)`.

    Example:

    ```python
    import numpy as np
    import keras_rec_tx

    m = keras_rec_tx.metrics.RecallAtK(k=2)
    m.update_state(np.array([0, 2]), np.array([[3.0, 2, 1], [3.0, 2, 1]]))
    m.result()  # 0.5
    ```
    """

    def __init__(self, k: int = 10, name: str | None = None, dtype: Any = None):
        k = check_int("k", k, minimum=1)
        super().__init__(name=name or f"recall@{k}", dtype=dtype)
        self.k = int(k)

    def value_from_rank(self, rank: Any) -> Any:
        return ops.cast(rank < self.k, "float32")

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"k": self.k})
        return config


HitRateAtK = RecallAtK
