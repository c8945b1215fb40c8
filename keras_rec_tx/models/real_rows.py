"""Rows that only pad a batch (for the devices) count in no loss or metric.

`SequenceBatches` pads a batch's rows to a multiple of the data-parallel
devices with rows that hold no item and target 0. These two pieces keep
such rows out of what `SequentialRecommender` reports, so the numbers on
many devices equal those of one.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops


class RealRowsLoss(keras.metrics.Mean):
    """The loss `fit` and `evaluate` report, weighted by the rows that
    hold a target.

    Keras' trainers weigh each step's loss by the batch's row count,
    padding rows included, so a padded batch would count more than its
    users. The model records the loss itself in `compute_loss` with its
    count of real rows; Keras' own update is ignored. Without padding rows
    both agree.
    """

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        pass  # Keras' update, weighted by all rows: see `record`.

    def record(self, loss: Any, rows: Any) -> None:
        super().update_state(loss, sample_weight=rows)


def row_weight(y: Any, sample_weight: Any) -> Any:
    """float32 `(batch,)` weights of evaluation rows: 0 where the target
    is 0 (a row that pads the batch), times `sample_weight` if given."""
    weight = ops.cast(ops.not_equal(y, 0), "float32")
    if sample_weight is not None:
        given = ops.reshape(ops.cast(sample_weight, "float32"), (-1,))
        weight = weight * given
    return weight
