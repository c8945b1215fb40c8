"""NDCG@K for one target per example."""

from typing import Any

import keras
from keras import ops

from keras_rec_tx.metrics.ranking_metric import CutoffRankingMetric


@keras.saving.register_keras_serializable(package="keras_rec_tx")
class NDCGAtK(CutoffRankingMetric):
    """Normalized discounted cumulative gain at `k`, one target per example.

    With a single relevant item the ideal DCG is 1, so per example the value
    is `1 / log2(rank + 2)` if `rank < k` else `0` (zero-based ranks,
    ties pessimistic); the result is the sample-weighted mean. Arguments
    and call arguments as `CutoffRankingMetric` and `RankingMetric`; the
    name defaults to `"ndcg@{k}"`.

    Example:

    ```python
    import numpy as np
    import keras_rec_tx

    m = keras_rec_tx.metrics.NDCGAtK(k=10)
    m.update_state(np.array([1]), np.array([[3.0, 2, 1]]))
    m.result()  # 1 / log2(3) = 0.6309
    ```

    References:
        - [Järvelin and Kekäläinen, Cumulated gain-based evaluation of IR
          techniques](https://doi.org/10.1145/582415.582418)
    """

    prefix = "ndcg"

    def value_from_rank(self, rank: Any) -> Any:
        gain = 1.0 / ops.log2(rank + 2.0)
        return ops.where(rank < self.k, gain, ops.zeros_like(gain))
