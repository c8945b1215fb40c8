"""Recall@K (= hit rate@K for one target per example)."""

from typing import Any

import keras
from keras import ops

from keras_rec_tx.metrics.ranking_metric import CutoffRankingMetric


@keras.saving.register_keras_serializable(package="keras_rec_tx")
class RecallAtK(CutoffRankingMetric):
    """Recall@K with one target per example: the fraction of targets ranked
    in the top `k` (also called hit rate@K, HR@K).

    Per example the value is `1` if `rank < k` else `0` (zero-based ranks,
    ties pessimistic); the result is the sample-weighted mean. Arguments
    and call arguments as `CutoffRankingMetric` and `RankingMetric`; the
    name defaults to `"recall@{k}"`.

    Example:

    ```python
    import numpy as np
    import keras_rec_tx

    m = keras_rec_tx.metrics.RecallAtK(k=2)
    m.update_state(np.array([0, 2]), np.array([[3.0, 2, 1], [3.0, 2, 1]]))
    m.result()  # 0.5
    ```
    """

    prefix = "recall"

    def value_from_rank(self, rank: Any) -> Any:
        return ops.cast(rank < self.k, "float32")


HitRateAtK = RecallAtK
