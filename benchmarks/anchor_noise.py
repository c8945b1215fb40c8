"""How far is a seed mean from a one-run anchor, in standard deviations?

The SASRec code evaluates a random 10,000 users when a dataset has more
(its `evaluate` samples them with `random.sample`), so its published
Games numbers are one training run scored on about a third of the users.
That number has two sources of noise: the training seed, and which users
were drawn. Our sampled-100 harness does the same (`max_users=10000`, a
fresh draw per seed), so the spread of our seeds already measures both,
and it is the best estimate of the anchor's own sd. (Were our runs to
score every user, the user draw would have to be added to the anchor's
sd.) How much of it the user draw can be is bounded without any model: a
per-user metric in [0, 1] has variance at most `m (1 - m)` (exactly that
for HR@10, a hit or a miss), and drawing `n` of `U` users without
replacement scales the variance of the mean by `(U - n) / (U - 1) / n`.

This script counts `U`, the users the leave-one-out test split scores,
and how many of them our sampled-100 evaluation scores, and writes

    benchmarks/results/diagnostics/anchor_users__<dataset>.json

`benchmarks/report/` combines it with the seed-to-seed spread of the
reproduction runs.

    python -m benchmarks.anchor_noise --data_dir=../shared/data \
        --dataset=sasrec-amazon-games
"""

from __future__ import annotations

import math

from absl import app, flags

from benchmarks import diagnostics

FLAGS = flags.FLAGS


def define_flags() -> None:
    diagnostics.define_data_flags("sasrec-amazon-games")
    flags.DEFINE_integer(
        "anchor_users",
        10000,
        "Users the published evaluation scored (the SASRec code: 10,000).",
    )


def sampling_std(mean: float, sampled: int, population: int) -> float:
    """Upper bound of the sd of a [0, 1] metric's mean over `sampled` of
    `population` users drawn without replacement (exact for a hit rate).

    >>> round(sampling_std(0.5, 100, 100), 6)
    0.0
    """
    if not 0 < sampled <= population:
        raise ValueError(
            "Need 0 < sampled <= population. Received: "
            f"sampled={sampled}, population={population}"
        )
    fpc = (population - sampled) / (population - 1) if population > 1 else 0.0
    return math.sqrt(mean * (1.0 - mean) / sampled * fpc)


def anchor_noise(
    anchor: float,
    ours: list[float],
    sampled: int,
    population: int,
    ours_sampled: bool = True,
) -> dict[str, float]:
    """The difference of our seed mean from a one-run anchor, in sds.

    The anchor's sd is our seed-to-seed sd: one training run scored on
    a fresh user draw, like the anchor, when `ours_sampled`; otherwise
    (our runs score every user) the user-sampling bound is added. The sd
    of the difference adds the standard error of our mean.
    """
    if len(ours) < 2:
        raise ValueError(f"Need at least 2 seeds. Received: {len(ours)}")
    n = len(ours)
    mean = sum(ours) / n
    seed_std = math.sqrt(sum((v - mean) ** 2 for v in ours) / (n - 1))
    users_std = sampling_std(anchor, sampled, population)
    anchor_std = seed_std if ours_sampled else math.hypot(seed_std, users_std)
    diff_std = math.sqrt(anchor_std**2 + seed_std**2 / n)
    return {
        "mean": mean,
        "delta": mean - anchor,
        "seed_std": seed_std,
        "user_sampling_std": users_std,
        "anchor_std": anchor_std,
        "delta_std": diff_std,
        "delta_in_std": (mean - anchor) / diff_std,
    }


def main(argv):
    del argv
    import keras_rec_tx as krt

    data = krt.datasets.load_by_name(FLAGS.dataset, FLAGS.data_dir)
    _, _, test = data.leave_one_out()
    ours = test.batches(protocol="sampled", seed=1).num_sequences
    result = {
        "dataset": FLAGS.dataset,
        "protocol": "leave-one-out test split",
        "evaluable_users": len(test),
        "anchor_users": min(FLAGS.anchor_users, len(test)),
        "sampled_100_users": ours,
    }
    diagnostics.write(f"anchor_users__{FLAGS.dataset}", result)


if __name__ == "__main__":
    define_flags()
    app.run(main)
