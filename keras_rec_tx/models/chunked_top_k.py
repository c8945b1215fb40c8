"""Top-k over a large item table in bounded memory."""

from __future__ import annotations

from typing import Any

from keras import ops

from keras_rec_tx.metrics.exclude_items import exclude_items

# Items scored at once per row: a (batch, chunk) float32 block, 128 MB for
# 512 rows. Catalogues up to this size are scored in one piece.
DEFAULT_CHUNK_SIZE = 2**16


def chunked_top_k(
    hidden: Any,
    table: Any,
    k: int,
    exclude_ids: Any = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> tuple[Any, Any]:
    """Top-`k` rows of `table` for each query, the table read in chunks.

    Scores are `hidden @ table.T`; row 0 of the table (padding) is never
    returned, nor the ids listed in `exclude_ids`. Each chunk of
    `chunk_size` rows is scored and cut to its own top-`k`, which is merged
    with the running top-`k` (`keras.ops.top_k` of the two), so peak
    memory is `batch x chunk_size` scores instead of `batch x catalogue`,
    and the result is that of scoring the whole table at once. Written
    with `keras.ops` in a Python loop over static chunk bounds, so it runs
    eagerly and traces (`predict`, the serving export) on every backend.
    keras-rs' `BruteForceRetrieval` scores every candidate in one matrix,
    which is what this avoids.

    Args:
        hidden: float `(batch, d)` query vectors.
        table: float `(num_items + 1, d)` item vectors, row 0 padding.
        k: items to return per row, at most `num_items`.
        exclude_ids: optional int `(batch, L)` ids to leave out per row
            (`0` = padding).
        chunk_size: table rows scored at once.

    Returns:
        `(ids, scores)`: int32 and float32 `(batch, k)`, best first. Where
        fewer than `k` items are left the scores are `-inf`.
    """
    hidden = _no_gradient(hidden)
    rows = int(table.shape[0])
    best_scores, best_ids = None, None
    for start in range(0, rows, chunk_size):
        stop = min(start + chunk_size, rows)
        block = _no_gradient(table[start:stop])
        scores = ops.matmul(hidden, ops.transpose(block))
        scores = _exclude(scores, start, exclude_ids)
        top_scores, top_ids = ops.top_k(scores, min(k, stop - start))
        top_ids = ops.cast(top_ids, "int32") + start
        if best_scores is not None:
            merged = ops.concatenate([best_scores, top_scores], axis=1)
            merged_ids = ops.concatenate([best_ids, top_ids], axis=1)
            top_scores, where = ops.top_k(merged, min(k, merged.shape[1]))
            top_ids = ops.take_along_axis(merged_ids, where, axis=1)
        best_scores, best_ids = top_scores, top_ids
    return best_ids, best_scores


def chunked_target_rank(
    hidden: Any,
    table: Any,
    targets: Any,
    exclude_ids: Any,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> Any:
    """`keras_rec_tx.metrics.target_rank` of the scores `hidden @ table.T`
    with the padding item and `exclude_ids` set to `-inf`, the table read
    in chunks: exactly the rank of the whole score matrix (the target's
    score is taken from its own chunk, so it equals itself bit for bit),
    in `batch x chunk_size` memory at twice the matmuls.

    Args:
        hidden: float `(batch, d)` query vectors.
        table: float `(num_items + 1, d)` item vectors, row 0 padding.
        targets: int `(batch,)` target item indices.
        exclude_ids: int `(batch, L)` ids set to `-inf` (`0` = padding).
        chunk_size: table rows scored at once.

    Returns:
        float32 `(batch,)` zero-based ranks; `inf` where `target_rank`
        gives `inf` (a NaN or `+inf` target score, a target out of range).
    """
    hidden = _no_gradient(hidden)
    targets = ops.cast(targets, "int32")
    rows = int(table.shape[0])

    def chunks():
        for start in range(0, rows, chunk_size):
            stop = min(start + chunk_size, rows)
            block = _no_gradient(table[start:stop])
            scores = ops.matmul(hidden, ops.transpose(block))
            yield start, stop, _exclude(scores, start, exclude_ids)

    # Two passes, so that only one chunk of scores is held at a time: the
    # target's score, then the counts (the same matmuls, the same values).
    target_score = 0.0
    for start, stop, scores in chunks():
        inside = ops.logical_and(targets >= start, targets < stop)
        local = ops.where(inside, targets - start, 0)
        picked = ops.take_along_axis(scores, local[:, None], axis=1)[:, 0]
        target_score = target_score + ops.where(inside, picked, 0.0)
    threshold = target_score[:, None]
    rank = ops.zeros_like(target_score)
    for _, _, scores in chunks():
        counts = (
            ops.cast(scores > threshold, "float32")
            + ops.cast(scores == threshold, "float32")
            + ops.cast(ops.isnan(scores), "float32")
        )
        rank = rank + ops.sum(counts, axis=1)
    # The target ties with itself (a NaN target never compares equal).
    rank = rank - ops.cast(target_score == target_score, "float32")
    in_range = ops.logical_and(targets >= 0, targets < rows)
    possible = ops.logical_and(
        in_range,
        ops.logical_not(
            ops.logical_or(
                ops.isnan(target_score), target_score == float("inf")
            )
        ),
    )
    return ops.where(possible, rank, ops.full_like(rank, float("inf")))


def _no_gradient(values: Any) -> Any:
    """`values` as float32, cut from the gradient graph. Scoring never
    needs gradients (ids are integers anyway), and on eager PyTorch each
    chunk's graph would otherwise keep its intermediates alive until the
    last merge: gigabytes for a large catalogue. Applied to one chunk at a
    time, never to the whole table (an eager op may copy its input)."""
    return ops.stop_gradient(ops.cast(values, "float32"))


def _exclude(scores: Any, start: int, exclude_ids: Any) -> Any:
    """`-inf` at the padding item and at the excluded ids that fall in the
    chunk of columns `start, start + 1, ...` of `scores`, in one scatter
    into `scores` (each extra full pass over a chunk, a padded copy say,
    costs about as much as its matmul).

    A scatter writes every id of a row, so ids outside the chunk need a
    column to go to that no other write of the row contradicts: in the
    first chunk column 0, the padding item (`-inf` anyway); further on,
    an excluded column of the same row (`-inf` anyway) or, in a row with
    none, column 0 with its own value (a no-op)."""
    if exclude_ids is None:
        exclude_ids = ops.zeros_like(scores[:, :1], dtype="int32")
    ids = ops.cast(exclude_ids, "int32") - start
    inside = ops.logical_and(ids >= 0, ids < scores.shape[1])
    if start == 0:  # Column 0 is the padding item: never recommended.
        return exclude_items(scores, ops.where(inside, ids, 0))
    some = ops.max(ops.where(inside, ids, -1), axis=1, keepdims=True)
    has_some = some >= 0
    target = ops.where(inside, ids, ops.where(has_some, some, 0))
    kept = ops.take_along_axis(scores, target, axis=1)
    updates = ops.where(has_some, ops.full_like(kept, float("-inf")), kept)
    # Row index of every entry, without needing the (maybe dynamic) batch.
    rows = ops.cumsum(ops.ones_like(target), axis=0) - 1
    indices = ops.reshape(ops.stack([rows, target], axis=-1), (-1, 2))
    return ops.scatter_update(scores, indices, ops.reshape(updates, (-1,)))
