"""A truncated-normal initializer that draws a large table in row chunks."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from keras_rec_tx.utils import check_float, check_int

# `SequentialBackbone` draws tables of more elements than this (float32:
# 64 MB) in chunks of this size; smaller ones in one piece, as before. A
# chunk is larger than glibc's largest mmap threshold (32 MB), so its
# memory goes back to the system when it is freed: smaller chunks would
# be kept by malloc, leaving the process at twice the table for good.
LARGE_TABLE_ELEMENTS = 2**24


@keras.saving.register_keras_serializable(package="keras_rec_tx")
class ChunkedTruncatedNormal(keras.initializers.Initializer):
    """`keras.initializers.TruncatedNormal`, drawn `chunk_elements` at a time.

    Each backend draws a truncated normal with temporaries several times
    the size of its output (rejection sampling or an inverse CDF), which
    for a 10M-item table of d 64 (2.56 GB) is many gigabytes at the
    start. Drawn in row chunks and concatenated, the peak is the table
    twice (chunks and their concatenation) plus one chunk's temporaries.
    The chunks use successive draws of one `keras.random.SeedGenerator`,
    so a seed (or `keras.utils.set_random_seed`) gives the same table
    every time; the values differ from a one-piece draw with the same
    seed, which is why `SequentialBackbone` uses this only above
    `LARGE_TABLE_ELEMENTS`.

    Args:
        stddev: standard deviation of the normal before truncation at two
            standard deviations.
        seed: int or `None` (then drawn from Keras' global seed).
        chunk_elements: elements drawn at once (rounded to whole rows).

    Example:

    ```python
    import keras_rec_tx

    init = keras_rec_tx.models.ChunkedTruncatedNormal(stddev=0.02, seed=0)
    table = init((1000, 8), "float32")
    ```
    """

    def __init__(
        self,
        stddev: float = 0.05,
        seed: int | None = None,
        chunk_elements: int = LARGE_TABLE_ELEMENTS,
    ):
        self.stddev = check_float("stddev", stddev, minimum=0)
        self.seed = check_int("seed", seed, allow_none=True)
        self.chunk_elements = check_int(
            "chunk_elements", chunk_elements, minimum=1
        )

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        shape = tuple(int(s) for s in shape)
        row_size = 1
        for size in shape[1:]:
            row_size *= size
        step = max(1, self.chunk_elements // max(1, row_size))
        seed = keras.random.SeedGenerator(self.seed)
        chunks = [
            keras.random.truncated_normal(
                (min(step, shape[0] - start),) + shape[1:],
                stddev=self.stddev,
                dtype=dtype,
                seed=seed,
            )
            for start in range(0, shape[0], step)
        ]
        if len(chunks) == 1:
            return chunks[0]
        return ops.concatenate(chunks, axis=0)

    def get_config(self) -> dict:
        return {
            "stddev": self.stddev,
            "seed": self.seed,
            "chunk_elements": self.chunk_elements,
        }
