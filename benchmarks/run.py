"""Runs benchmark suites; one JSON result per finished run (resumable).

    KERAS_BACKEND=jax python benchmarks/run.py --suite=reproduce \
        --data_dir=../shared/data
    KERAS_BACKEND=jax python benchmarks/run.py --suite=study --only=rope
    python benchmarks/run.py --list

Suites are defined in benchmarks/suites.py. Runs whose result file exists
are skipped; results go to benchmarks/results/runs/.
"""

from __future__ import annotations

import pathlib
import sys

from absl import app, flags

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import suites  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_string("suite", None, "Suite name (see --list).")
flags.DEFINE_list("only", [], "Run only these run names of the suite.")
flags.DEFINE_list("seeds", None, "Override the suite's seeds.")
flags.DEFINE_string(
    "data_dir",
    str(pathlib.Path(__file__).resolve().parents[2] / "shared" / "data"),
    "Folder with the benchmark datasets.",
)
flags.DEFINE_string(
    "results_dir",
    str(pathlib.Path(__file__).resolve().parent / "results" / "runs"),
    "Where result files are written.",
)
flags.DEFINE_bool("list", False, "List suites and runs, then exit.")
flags.DEFINE_bool("dry_run", False, "Print what would run.")
flags.DEFINE_integer("verbose", 2, "Keras fit verbosity.")


def main(argv: list[str]) -> None:
    del argv
    if FLAGS.list:
        for name, runs in suites.SUITES.items():
            print(f"{name}:")
            for run in runs:
                print(f"  {run.name}: {run.describe()}")
        return
    if FLAGS.suite not in suites.SUITES:
        raise app.UsageError(
            f"--suite must be one of {sorted(suites.SUITES)}. "
            f"Received: {FLAGS.suite!r}"
        )
    from keras_rec_tx import benchmark

    runs = [
        r
        for r in suites.SUITES[FLAGS.suite]
        if not FLAGS.only or r.name in FLAGS.only
    ]
    cache = {}
    for run in runs:
        seeds = [int(s) for s in FLAGS.seeds] if FLAGS.seeds else run.seeds
        for seed in seeds:
            if FLAGS.dry_run:
                print(run.name, seed, run.describe())
                continue
            if run.dataset not in cache:
                cache[run.dataset] = suites.load_dataset(
                    run.dataset, FLAGS.data_dir
                )
            path = benchmark.run_one(
                run.preset,
                cache[run.dataset],
                dataset=run.dataset,
                seed=seed,
                protocol=run.protocol,
                tag=run.tag,
                overrides=run.overrides,
                training_overrides=run.training_overrides,
                epochs=run.epochs,
                patience=run.patience,
                results_dir=FLAGS.results_dir,
                verbose=FLAGS.verbose,
            )
            print(f"done: {path}", flush=True)


if __name__ == "__main__":
    app.run(main)
