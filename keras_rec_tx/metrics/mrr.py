"""Mean reciprocal rank over the full catalogue."""

from typing import Any

import keras

from keras_rec_tx.metrics.ranking_metric import RankingMetric


@keras.saving.register_keras_serializable(package="keras_rec_tx")
class MRR(RankingMetric):
    """Mean reciprocal rank of the target, with no cut-off.

    Per example the value is `1 / (rank + 1)`, with the zero-based rank from
    `keras_rec_tx.metrics.target_rank` (full catalogue, no sort, pessimistic
    ties). The result is the sample-weighted mean.

    Args:
        name: string. Defaults to `"mrr"`.
        dtype: dtype of the metric's state and result.

    Call arguments (`update_state`):
        y_true: int tensor `(B,)`: index of the target in `y_pred`'s last axis.
        y_pred: float tensor `(B, C)`: scores of all candidate items.
        sample_weight: optional float tensor `(B,)`.

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
