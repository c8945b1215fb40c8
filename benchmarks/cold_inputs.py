"""What do histories that end in a never-trained item cost? A paired test.

On Games, 2.5% of test inputs end in an item that never occurs in the
training split (the validation target; see `valid_test_gap.py`): the
model has trained its embedding only as a negative. This script trains
one model, then scores the same test users against the same sampled-100
candidates twice: with the histories as they are, and with the items
unseen in training dropped from them (each row re-left-padded; a row left
empty keeps its history). Everything else is equal, so the difference is
what those items cost this model. Writes

    benchmarks/results/diagnostics/cold_inputs__<dataset>__<tag>.json

    KERAS_BACKEND=tensorflow python -m benchmarks.cold_inputs \
        --data_dir=../shared/data --epochs=40
"""

from __future__ import annotations

from typing import Any

import numpy as np
from absl import app, flags

from benchmarks import diagnostics, suites

FLAGS = flags.FLAGS


def define_flags() -> None:
    diagnostics.define_data_flags(None)
    flags.DEFINE_string(
        "run",
        "sasrec_ss256_itemdrop_games",
        "A run of the games_beat suite: preset, dataset and overrides.",
    )
    flags.DEFINE_integer("epochs", 40, "Training epochs (no early stop).")
    flags.DEFINE_integer("seed", 0, "Seed of training and evaluation.")


def drop_items(item_ids: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Removes the ids with `keep[id] == False` from left-padded rows and
    left-pads again; a row that would be left empty is returned as is.

    >>> keep = np.array([True, True, False, True])
    >>> drop_items(np.array([[0, 1, 2, 3], [0, 0, 0, 2]]), keep).tolist()
    [[0, 0, 1, 3], [0, 0, 0, 2]]
    """
    out = np.zeros_like(item_ids)
    for i, row in enumerate(item_ids):
        kept = row[(row != 0) & keep[row]]
        if not len(kept):
            out[i] = row
            continue
        out[i, len(row) - len(kept) :] = kept
    return out


def main(argv: list[str]) -> None:
    del argv
    import keras

    import keras_rec_tx as krt

    spec = {r.name: r for r in suites.SUITES["games_beat"]}[FLAGS.run]
    data = krt.datasets.load_by_name(spec.dataset, FLAGS.data_dir)
    result, model = krt.experiment.run(
        spec.preset,
        data,
        protocol=spec.protocol,
        seed=FLAGS.seed,
        epochs=FLAGS.epochs,
        patience=FLAGS.epochs,
        overrides=spec.overrides,
        verbose=2,
    )
    train, _, test = data.leave_one_out()
    seen = np.zeros(data.num_items + 1, dtype=bool)
    seen[0] = True
    for sequence in train.sequences():
        seen[sequence] = True
    # The test batches experiment.run scored (seed + 1), scored twice.
    batches = test.batches(
        batch_size=256,
        max_len=model.max_len,
        protocol="sampled",
        seed=FLAGS.seed + 1,
    )

    class Dropped(keras.utils.PyDataset):
        def __len__(self) -> int:
            return len(batches)

        def __getitem__(self, index: int) -> Any:
            x, y = batches[index]
            x = dict(x, item_ids=drop_items(np.asarray(x["item_ids"]), seen))
            return x, y

    as_is = model.evaluate(batches, return_dict=True, verbose=0)
    dropped = model.evaluate(Dropped(), return_dict=True, verbose=0)
    newest = np.concatenate(
        [
            np.asarray(batches[i][0]["item_ids"])[:, -1]
            for i in range(len(batches))
        ]
    )
    affected = int((~seen[newest]).sum())
    keys = ("recall@10", "ndcg@10")
    out = {
        "dataset": spec.dataset,
        "run": FLAGS.run,
        "preset": spec.preset,
        "overrides": spec.overrides,
        "seed": FLAGS.seed,
        "epochs": FLAGS.epochs,
        "best_epoch": result["best_epoch"],
        "test_users": int(len(newest)),
        "users_whose_newest_item_is_unseen": affected,
        "test_as_is": {k: float(as_is[k]) for k in keys},
        "test_unseen_dropped": {k: float(dropped[k]) for k in keys},
        "difference": {k: float(dropped[k] - as_is[k]) for k in keys},
        "difference_on_affected_users": {
            k: float(dropped[k] - as_is[k]) * len(newest) / max(affected, 1)
            for k in keys
        },
        "backend": result["backend"],
    }
    diagnostics.write(
        f"cold_inputs__{spec.dataset}__{spec.tag}", out, with_machine=True
    )


if __name__ == "__main__":
    define_flags()
    app.run(main)
