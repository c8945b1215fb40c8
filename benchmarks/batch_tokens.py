"""How unevenly do bucketed batches weigh real positions? Counts the real
(non-padding) target positions of every training batch of one epoch,
bucketed and padded to `max_len`, and the largest ratio of the weight of
one position to another under a per-batch mean loss (what token weighting
removes). Writes

    benchmarks/results/diagnostics/batch_tokens__<dataset>.json

    python -m benchmarks.batch_tokens --data_dir=../shared/data
"""

from __future__ import annotations

import numpy as np
from absl import app, flags

from benchmarks import diagnostics

FLAGS = flags.FLAGS


def define_flags() -> None:
    diagnostics.define_data_flags("sasrec-amazon-games")
    flags.DEFINE_integer("batch_size", 128, "Sequences per batch.")
    flags.DEFINE_integer("max_len", 50, "Longest input length.")


def main(argv: list[str]) -> None:
    del argv
    import keras_rec_tx as krt

    data = krt.datasets.load_by_name(FLAGS.dataset, FLAGS.data_dir)
    train, _, _ = data.leave_one_out()
    out = {"dataset": FLAGS.dataset, "batch_size": FLAGS.batch_size}
    for name, bucketing in (("bucketed", True), ("padded", False)):
        batches = train.batches(
            batch_size=FLAGS.batch_size,
            max_len=FLAGS.max_len,
            bucketing=bucketing,
            token_weighting=False,
        )
        counts = np.array(
            [np.count_nonzero(batches[i][1]) for i in range(len(batches))]
        )
        out[name] = {
            "batches": len(counts),
            "real_positions_min": int(counts.min()),
            "real_positions_median": float(np.median(counts)),
            "real_positions_max": int(counts.max()),
            "position_weight_ratio_max": float(counts.max() / counts.min()),
        }
    diagnostics.write(f"batch_tokens__{FLAGS.dataset}", out)


if __name__ == "__main__":
    define_flags()
    app.run(main)
