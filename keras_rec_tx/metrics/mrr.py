"""Mean reciprocal rank over the full catalogue."""

from typing import Any

import keras

from keras_rec_tx.metrics.ranking_metric import RankingMetric


@keras.saving.register_keras_serializable(package="keras_rec_tx")
class MRR(RankingMetric):
    """Mean reciprocal rank of the target, with no cut-off.

    Per example the value is `1 / (rank + 1)` (zero-based ranks, ties
    pessimistic); the result is the sample-weighted mean. Arguments and call
    arguments as `RankingMetric`; the name defaults to `"mrr"`.

    Example:

    ```python
    import numpy as np
    import keras_rec_tx

    m = keras_rec_tx.metrics.MRR()
    m.update_state(np.array([0, 2]), np.array([[3.0, 2, 1], [3.0, 2, 1]]))
    m.result()  # (1 + 1/3) / 2 = 0.6667
    ```
    """

    def __init__(self, name: str = "mrr", dtype: Any = None):
        super().__init__(name=name, dtype=dtype)

    def value_from_rank(self, rank: Any) -> Any:
        return 1.0 / (rank + 1.0)
