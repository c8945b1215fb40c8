"""Why test metrics sit below validation on the LOO benchmarks.

Two model-free baselines (popularity, last-item transition counts with
popularity tie-break), full catalogue, history excluded, are scored on the
validation target and on the test target, trained (counted) on the train
split only, and again on train + validation items. If they show the same
validation/test gap as the Transformer, the gap is a property of the data
and the split, not of the model or the pipeline. It also counts the users
whose target, or newest input item, never occurs in the training split.

    python -m benchmarks.valid_test_gap --data_dir=../shared/data \
        --dataset=s3rec-amazon-beauty

Writes benchmarks/results/diagnostics/valid_test_gap__<dataset>.json.
"""

from __future__ import annotations

import collections

import numpy as np
from absl import app, flags

from benchmarks import diagnostics

FLAGS = flags.FLAGS


def define_flags() -> None:
    diagnostics.define_data_flags("s3rec-amazon-beauty")
    flags.DEFINE_integer("k", 10, "Cut-off of HR@k.")


def counts(sequences, drop_last: int):
    popularity = collections.Counter()
    transitions = collections.defaultdict(collections.Counter)
    for seq in sequences:
        seq = seq[: len(seq) - drop_last]
        popularity.update(seq.tolist())
        for a, b in zip(seq[:-1].tolist(), seq[1:].tolist()):
            transitions[a][b] += 1
    return popularity, transitions


def hit_rates(sequences, num_items, popularity, transitions, kind, k):
    pop = np.zeros(num_items + 1)
    for item, c in popularity.items():
        pop[item] = c
    hits_pop = hits_trans = n = 0
    for seq in sequences:
        if len(seq) < 3:
            continue
        history = seq[:-2] if kind == "valid" else seq[:-1]
        target = seq[-2] if kind == "valid" else seq[-1]
        seen = list(set(history.tolist())) + [0]
        scores = pop.copy()
        scores[seen] = -1
        hits_pop += (scores > scores[target]).sum() < k
        trans = np.zeros(num_items + 1)
        for item, c in transitions[int(history[-1])].items():
            trans[item] = c
        scores = trans * 1e9 + pop
        scores[seen] = -1
        hits_trans += (scores > scores[target]).sum() < k
        n += 1
    return {"popularity": hits_pop / n, "transition": hits_trans / n}


def cold_rates(sequences, popularity):
    """Shares of validation and test users whose target, or whose newest
    input item, never occurs in the training split: the model has trained
    neither embedding as a positive (a cold target cannot rank well; a cold
    newest input item feeds the model an embedding only ever pushed down
    as a negative). The test input's newest item is the validation target.
    """
    rates = {}
    for kind, drop in (("valid", 2), ("test", 1)):
        eligible = [seq for seq in sequences if len(seq) >= 3]
        target = [
            popularity[int(seq[len(seq) - drop])] == 0 for seq in eligible
        ]
        newest = [
            popularity[int(seq[len(seq) - drop - 1])] == 0 for seq in eligible
        ]
        rates[kind] = {
            "cold_target": float(np.mean(target)),
            "cold_newest_input": float(np.mean(newest)),
        }
    return rates


def main(argv):
    del argv
    import keras_rec_tx as krt

    data = krt.datasets.load_by_name(FLAGS.dataset, FLAGS.data_dir)
    sequences = [data.sequence(u) for u in range(data.num_users)]
    n = data.num_items
    train_counts = counts(sequences, drop_last=2)
    result = {
        "dataset": FLAGS.dataset,
        "metric": f"HR@{FLAGS.k}, full catalogue, history excluded",
        "counted_on_train": {
            "valid": hit_rates(sequences, n, *train_counts, "valid", FLAGS.k),
            "test": hit_rates(sequences, n, *train_counts, "test", FLAGS.k),
        },
        "cold_items_counted_on_train": cold_rates(sequences, train_counts[0]),
        "counted_on_train_and_valid": {
            "test": hit_rates(
                sequences, n, *counts(sequences, drop_last=1), "test", FLAGS.k
            ),
        },
    }
    diagnostics.write(f"valid_test_gap__{FLAGS.dataset}", result)


if __name__ == "__main__":
    define_flags()
    app.run(main)
