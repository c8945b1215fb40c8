"""Zero-based rank of the target among all scored items, without sorting."""

from typing import Any

from keras import ops


def target_rank(y_true: Any, y_pred: Any) -> Any:
    """Zero-based rank of the target item, computed without sorting.

    `rank = count(scores > target_score)
    + count(scores == target_score, the target itself excluded)`.

    Ties are pessimistic: an item scored equal to the target ranks above it,
    so a constant scorer gets rank `C - 1` (no credit). Items excluded by
    setting their score to `-inf` rank below every finite score; a target
    scored `-inf` ties with (and so ranks below) every other `-inf` item. The
    cost is O(B * C) time and memory: two comparisons, no sort.

    Args:
        y_true: int tensor of shape `(B,)` (or `(B, 1)`): the index of the
            target in the last axis of `y_pred`.
        y_pred: float tensor of shape `(B, C)`: scores of all `C` items.

    Returns:
        float32 tensor of shape `(B,)`: the zero-based rank of each target.

    Example:

    ```python
    import numpy as np
    import keras_rec_tx

    scores = np.array([[0.1, 0.9, 0.5, 0.5]], "float32")
    keras_rec_tx.metrics.target_rank(np.array([2]), scores)  # [2.]
    ```
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(ops.convert_to_tensor(y_true), "int32")
    if len(y_true.shape) == len(y_pred.shape):
        y_true = ops.squeeze(y_true, axis=-1)
    target_score = ops.take_along_axis(
        y_pred, ops.expand_dims(y_true, -1), axis=-1
    )
    greater = ops.sum(ops.cast(y_pred > target_score, "int32"), axis=-1)
    # The target always equals itself: subtract that one tie.
    ties = ops.sum(ops.cast(y_pred == target_score, "int32"), axis=-1) - 1
    return ops.cast(greater + ties, "float32")
