"""Zero-based rank of the target among all scored items, without sorting."""

from typing import Any

import numpy as np
from keras import ops


def _check_concrete(y_true: Any, y_pred: Any) -> None:
    """Checks labels and scores given as numpy arrays or lists (a user's
    direct call): integer labels in `[0, C)`, one per row of `y_pred`.
    Backend tensors (e.g. inside a compiled `evaluate`) are not read back;
    there an out-of-range label is a miss (see `target_rank`)."""
    if not isinstance(y_true, (np.ndarray, list, tuple, int, np.integer)):
        return
    labels = np.asarray(y_true)
    if labels.dtype == object or labels.dtype.kind not in "iuf":
        raise TypeError(
            "`y_true` must hold integer item indices. "
            f"Received: y_true with dtype {labels.dtype}"
        )
    if labels.dtype.kind == "f" and not (
        np.isfinite(labels).all() and (labels == np.round(labels)).all()
    ):
        raise ValueError(
            "`y_true` must hold whole-number item indices. "
            f"Received: y_true={labels.ravel()[:10].tolist()}"
        )
    shape = tuple(y_pred.shape)
    if len(shape) != 2:
        return  # the static shape check in `target_rank` reports it
    if labels.size and (labels.min() < 0 or labels.max() >= shape[-1]):
        bad = labels[(labels < 0) | (labels >= shape[-1])]
        raise ValueError(
            f"`y_true` must be indices in [0, {shape[-1]}) (the last axis "
            f"of `y_pred`). Received: y_true={bad.ravel()[:10].tolist()}"
        )


def target_rank(y_true: Any, y_pred: Any) -> Any:
    """Zero-based rank of the target item, computed without sorting.

    `rank = count(scores > target_score)
    + count(scores == target_score, the target itself excluded)
    + count(scores that are NaN)`.

    Ties are pessimistic: an item scored equal to the target ranks above it,
    so a constant scorer gets rank `C - 1` (no credit). Items excluded by
    setting their score to `-inf` rank below every finite score; a target
    scored `-inf` ties with (and so ranks below) every other `-inf` item.

    Non-finite scores never help: another item scored NaN ranks above the
    target, and a target scored NaN or `+inf` (a diverged model), or a
    label outside `[0, C)` inside a compiled graph, gets rank `inf`: a
    miss for every metric (recall 0, NDCG 0, MRR 0). Labels given as numpy
    arrays or lists are checked up front (`ValueError`/`TypeError`). The
    cost is O(B * C) time and memory: a few comparisons, no sort.

    Args:
        y_true: int tensor of shape `(B,)` (or `(B, 1)`): the index of the
            target in the last axis of `y_pred`.
        y_pred: float tensor of shape `(B, C)`: scores of all `C` items.

    Returns:
        float32 tensor of shape `(B,)`: the zero-based rank of each target
        (`inf` for a miss as above).

    Example:

    ```python
    import numpy as np
    import keras_rec_tx

    scores = np.array([[0.1, 0.9, 0.5, 0.5]], "float32")
    keras_rec_tx.metrics.target_rank(np.array([2]), scores)  # [2.]
    ```
    """
    _check_concrete(y_true, ops.convert_to_tensor(y_pred))
    y_pred = ops.convert_to_tensor(y_pred)
    if "float" not in str(y_pred.dtype):
        y_pred = ops.cast(y_pred, "float32")
    y_true = ops.cast(ops.convert_to_tensor(y_true), "int32")
    if len(y_true.shape) == len(y_pred.shape):
        y_true = ops.squeeze(y_true, axis=-1)
    if len(y_pred.shape) != 2 or len(y_true.shape) != 1:
        raise ValueError(
            "`y_pred` must have shape (B, C) and `y_true` shape (B,) or "
            f"(B, 1). Received: y_pred.shape={tuple(y_pred.shape)}, "
            f"y_true.shape={tuple(y_true.shape)}"
        )
    b_true, b_pred = y_true.shape[0], y_pred.shape[0]
    if b_true is not None and b_pred is not None and b_true != b_pred:
        raise ValueError(
            "`y_true` and `y_pred` must have one row per example. "
            f"Received: y_true.shape={tuple(y_true.shape)}, "
            f"y_pred.shape={tuple(y_pred.shape)}"
        )
    num_items = ops.shape(y_pred)[-1]
    in_range = ops.logical_and(y_true >= 0, y_true < num_items)
    index = ops.where(in_range, y_true, ops.zeros_like(y_true))
    target_score = ops.take_along_axis(
        y_pred, ops.expand_dims(index, -1), axis=-1
    )
    greater = ops.sum(ops.cast(y_pred > target_score, "int32"), axis=-1)
    # The target always equals itself: subtract that one tie.
    ties = ops.sum(ops.cast(y_pred == target_score, "int32"), axis=-1) - 1
    nan = ops.sum(ops.cast(ops.isnan(y_pred), "int32"), axis=-1)
    rank = ops.cast(greater + ties + nan, "float32")
    target_score = ops.squeeze(target_score, axis=-1)
    hit_possible = ops.logical_and(
        in_range,
        ops.logical_not(
            ops.logical_or(ops.isnan(target_score), target_score == np.inf)
        ),
    )
    return ops.where(hit_possible, rank, ops.full_like(rank, np.inf))
