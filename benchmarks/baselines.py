"""Tunes and scores the model-free baselines on every benchmark dataset.

    taskset -c 0 env OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
        KERAS_BACKEND=jax python -m benchmarks.baselines \
        --data_dir=../shared/data

For each (dataset, protocol) of the benchmark suites (benchmarks/suites/)
and each baseline of `keras_rec_tx.baselines`, every setting of the small
grid below is fitted on the training split and scored on VALIDATION; the
one with the best validation NDCG@10 (ties: the first) is then scored on
test. Nothing about the test split enters the choice. The evaluation
batches are `keras_rec_tx.experiment.evaluation_batches(..., seed=0)`,
those of the models' seed-0 runs, so sampled-100 ranks the very same
candidates (drawn with seed 0 for validation, 1 for test); the baselines
use each user's whole history (`max_len` = the longest history), which
they score from and exclude. One JSON file per (baseline, dataset,
protocol) goes to benchmarks/results/baselines/; existing files are
skipped (delete one to rerun it).
"""

from __future__ import annotations

import itertools
import json
import pathlib
import time

from absl import app, flags

from benchmarks import provenance, suites

HERE = pathlib.Path(__file__).resolve().parent

FLAGS = flags.FLAGS
flags.DEFINE_string(
    "data_dir",
    str(HERE.parents[1] / "shared" / "data"),
    "Folder with the benchmark datasets.",
)
flags.DEFINE_string(
    "results_dir", str(HERE / "results" / "baselines"), "Output folder."
)
flags.DEFINE_list("datasets", [], "Only these datasets (default: all).")
flags.DEFINE_list("baselines", [], "Only these baselines (default: all).")

SEED = 0
SELECT_ON = "ndcg@10"
# Small grids, one fit per setting (EASE: one dense inverse per l2).
GRIDS = {
    "most_popular": {},
    "markov": {"backoff": [0.001, 0.01, 0.1, 1.0, 10.0]},
    "item_knn": {"neighbors": [20, 100, 500], "decay": [1.0, 0.8, 0.5]},
    "ease": {"l2": [10.0, 100.0, 1000.0]},
}


def benchmark_datasets() -> list[tuple[str, str]]:
    """(dataset, protocol) of every suite run on real data."""
    pairs = {
        (run.dataset, run.protocol)
        for runs in suites.SUITES.values()
        for run in runs
        if run.dataset != "synthetic"
    }
    return sorted(pairs)


def grid(name: str) -> list[dict]:
    keys = list(GRIDS[name])
    values = itertools.product(*(GRIDS[name][k] for k in keys))
    return [dict(zip(keys, v, strict=True)) for v in values]


def tune(name, train, valid_batches, test_batches) -> dict:
    """Fits every grid setting, keeps the best on validation, scores it
    on test."""
    from keras_rec_tx import baselines

    best, rows = None, []
    for params in grid(name):
        model = baselines.BASELINES[name](**params).fit(train)
        valid = model.evaluate(valid_batches)
        rows.append(
            {
                "hyperparameters": params,
                "valid": valid,
                "fit_seconds": model.fit_seconds,
            }
        )
        print(name, params, f"{model.fit_seconds:.1f} s", valid, flush=True)
        if best is None or valid[SELECT_ON] > best[1][SELECT_ON]:
            best = (model, valid, params)
        del model
    model, valid, params = best
    start = time.perf_counter()
    test = model.evaluate(test_batches)
    return {
        "hyperparameters": params,
        "fit_seconds": model.fit_seconds,
        "test_eval_seconds": time.perf_counter() - start,
        "valid": valid,
        "test": test,
        "grid": rows,
    }


def main(argv: list[str]) -> None:
    del argv
    import keras

    from keras_rec_tx import datasets, experiment, utils

    out_dir = pathlib.Path(FLAGS.results_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    names = FLAGS.baselines or list(GRIDS)
    for dataset, protocol in benchmark_datasets():
        if FLAGS.datasets and dataset not in FLAGS.datasets:
            continue
        todo = [
            n
            for n in names
            if not (out_dir / f"{n}__{dataset}__{protocol}.json").exists()
        ]
        if not todo:
            continue
        data = datasets.load_by_name(dataset, FLAGS.data_dir)
        train, valid, test = data.leave_one_out()
        max_len = int(max(valid.lengths.max(), test.lengths.max()))
        valid_b, test_b = experiment.evaluation_batches(
            valid, test, protocol=protocol, seed=SEED, max_len=max_len
        )
        for name in todo:
            result = provenance.stamp(
                {
                    "baseline": name,
                    "dataset": dataset,
                    "protocol": protocol,
                    "seed": SEED,
                    "select_on": f"valid {SELECT_ON}",
                    "max_len": max_len,
                    "num_items": int(data.num_items),
                    **tune(name, train, valid_b, test_b),
                    "backend": keras.backend.backend(),
                }
            )
            path = out_dir / f"{name}__{dataset}__{protocol}.json"
            utils.atomic_write_text(path, json.dumps(result, indent=1) + "\n")
            print("wrote", path, result["test"], flush=True)


if __name__ == "__main__":
    app.run(main)
