"""Set the scores of given items (e.g. the user's history) to -inf."""

from typing import Any

from keras import ops


def exclude_items(
    scores: Any, item_ids: Any, exclude_padding: bool = True
) -> Any:
    """Sets the score of every listed item, per row, to `-inf`.

    Used to drop the items already in a user's history from a full-catalogue
    ranking. It scatters into the score matrix (`keras.ops.scatter_update`),
    so memory is O(B * L + B * N): no `(B, L, N)` one-hot tensor is built.

    Args:
        scores: float tensor of shape `(B, N + 1)`: scores of items
            `0..N`, where item `0` is padding.
        item_ids: int tensor of shape `(B, L)`: items to exclude per row,
            `0` = padding. Ids must lie in `0..N`.
        exclude_padding: bool. If `True` (default), column `0` (the padding
            item) is set to `-inf` in every row. If `False`, column `0` is
            left unchanged and padding entries of `item_ids` are ignored.

    Returns:
        A tensor like `scores`, with the excluded entries set to `-inf`.

    Example:

    ```python
    import numpy as np
    import keras_rec_tx

    scores = np.ones((1, 5), "float32")
    keras_rec_tx.metrics.exclude_items(scores, np.array([[0, 3]]))
    # [[-inf, 1., 1., -inf, 1.]]
    ```
    """
    scores = ops.convert_to_tensor(scores)
    ids = ops.cast(ops.convert_to_tensor(item_ids), "int32")
    if exclude_padding:
        # One extra padding id per row also clears column 0 of rows
        # without padding.
        ids = ops.concatenate([ops.zeros_like(ids[:, :1]), ids], axis=1)
        updates = ops.full_like(ids, float("-inf"), dtype=scores.dtype)
    else:
        # Padding entries write back column 0's own value: a no-op. All
        # duplicates of an index write the same value, so the order in
        # which a backend applies them does not matter.
        kept = ops.take_along_axis(scores, ids, axis=1)
        minus_inf = ops.full_like(kept, float("-inf"))
        updates = ops.where(ids > 0, minus_inf, kept)
    # Row index of every entry, without needing the (maybe dynamic) batch size.
    rows = ops.cumsum(ops.ones_like(ids), axis=0) - 1
    indices = ops.reshape(ops.stack([rows, ids], axis=-1), (-1, 2))
    return ops.scatter_update(scores, indices, ops.reshape(updates, (-1,)))
