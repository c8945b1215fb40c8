"""Does the test score depend on the backend that computes it?

Trains one run of the backends suite (`rope_swiglu` on Beauty, full-loo,
one seed) under the current KERAS_BACKEND, saves the model, then loads that
saved model under tensorflow, jax and torch (one subprocess each) and scores
the same test batches. If the three agree, a gap between backends' test
metrics comes from training, not from evaluation.

    KERAS_BACKEND=tensorflow python -m benchmarks.cross_backend_eval \\
        --data_dir=../shared/data --seed=0

Writes benchmarks/results/diagnostics/cross_backend_eval__<dataset>.json.
The model is saved to a temporary folder and deleted (it is trained on the
dataset, which may not be redistributed).
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import tempfile

from absl import app, flags

from benchmarks import diagnostics, suites

FLAGS = flags.FLAGS
ROOT = pathlib.Path(__file__).resolve().parents[1]
BACKENDS = ("tensorflow", "jax", "torch")


def define_flags() -> None:
    diagnostics.define_data_flags(the_run().dataset)
    flags.DEFINE_integer("seed", 0, "Seed of the run to train.")
    flags.DEFINE_integer(
        "epochs", None, "At most this many epochs (default: the suite's)."
    )
    flags.DEFINE_integer(
        "synthetic_users",
        2000,
        "Users of --dataset=synthetic (the test uses a small log).",
    )
    flags.DEFINE_string(
        "evaluate",
        None,
        "Internal: score the model saved at this path on the test split "
        "under the current backend and print the metrics as JSON.",
    )


def the_run() -> suites.Run:
    (run,) = suites.SUITES["backends"]
    return run


def test_batches(data, run: suites.Run, seed: int, max_len: int):
    from keras_rec_tx import experiment

    _, valid, test = data.leave_one_out()
    _, batches = experiment.evaluation_batches(
        valid, test, protocol=run.protocol, seed=seed, max_len=max_len
    )
    return batches


def evaluate_saved(path: str) -> None:
    import keras

    from keras_rec_tx import datasets  # also registers the classes

    run = the_run()
    model = keras.saving.load_model(path)
    data = datasets.load_by_name(
        FLAGS.dataset, FLAGS.data_dir, synthetic_users=FLAGS.synthetic_users
    )
    batches = test_batches(data, run, FLAGS.seed, model.max_len)
    metrics = model.evaluate(batches, return_dict=True, verbose=0)
    print(json.dumps({k: float(v) for k, v in metrics.items()}))


def main(argv: list[str]) -> None:
    del argv
    if FLAGS.evaluate:
        evaluate_saved(FLAGS.evaluate)
        return
    compare(
        FLAGS.dataset,
        FLAGS.data_dir,
        FLAGS.seed,
        FLAGS.epochs,
        synthetic_users=FLAGS.synthetic_users,
    )


def compare(
    dataset: str,
    data_dir: str,
    seed: int,
    epochs: int | None,
    synthetic_users: int = 2000,
    overrides: dict | None = None,
) -> pathlib.Path:
    """Trains the run on `dataset`, scores its saved model under each
    backend and writes the diagnostic file; returns its path.
    `overrides` change the run's architecture (the test's small model)."""
    import keras

    from keras_rec_tx import datasets, experiment

    run = the_run()
    data = datasets.load_by_name(
        dataset, data_dir, synthetic_users=synthetic_users
    )
    result, model = experiment.run(
        run.preset,
        data,
        protocol=run.protocol,
        seed=seed,
        epochs=epochs or run.epochs,
        overrides={**(run.overrides or {}), **(overrides or {})},
        training_overrides=run.training_overrides,
    )
    scores = {}
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        model.save(path)
        for backend in BACKENDS:
            out = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.cross_backend_eval",
                    f"--evaluate={path}",
                    f"--seed={seed}",
                    f"--dataset={dataset}",
                    f"--data_dir={os.path.abspath(data_dir)}",
                    f"--synthetic_users={synthetic_users}",
                ],
                cwd=ROOT,  # where `benchmarks` is importable from
                env={**os.environ, "KERAS_BACKEND": backend},
                capture_output=True,
                text=True,
                check=True,
            )
            scores[backend] = json.loads(out.stdout.strip().splitlines()[-1])
    in_process = result["test"]
    return diagnostics.write(
        f"cross_backend_eval__{dataset}",
        {
            "run": run.name,
            "preset": run.preset,
            "dataset": dataset,
            "protocol": run.protocol,
            "seed": seed,
            "trained_on": keras.backend.backend(),
            "epochs_run": result["epochs_run"],
            "best_epoch": result["best_epoch"],
            "test_in_training_process": in_process,
            "test_of_saved_model": scores,
            "largest_difference": {
                k: max(abs(scores[b][k] - in_process[k]) for b in BACKENDS)
                for k in sorted(in_process)
            },
        },
        with_machine=True,
    )


if __name__ == "__main__":
    define_flags()
    app.run(main)
