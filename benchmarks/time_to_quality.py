"""Time to quality on MovieLens-100k against RecBole 1.2.1 SASRec.

Trains RecBole's model and protocol (full ranking, leave-one-out, maxlen
50, d 64, 2 layers, 2 heads, full-softmax CE loss) with this library and
its own recipe (Adam at 5e-3 on batches of 128, chosen by validation:
the selection runs, seed 0 on a shared core, are kept in
results/time_to_quality/selection/, which the report does not read; each
result file records its recipe), validating after every epoch, and
records when the 3-epoch moving average of validation NDCG@10 first
reaches RecBole's best. Runs from before the recipe was recorded used
1e-3 and 256.

    KERAS_BACKEND=jax python -m benchmarks.time_to_quality \
        --data_dir=../shared/data --preset=sasrec_ss

RecBole's side comes from the result file of benchmarks/recbole_sasrec.py
(`--recbole_result`, RecBole run on this machine in its own environment)
when it exists, else from the `--recbole_*` flags: the numbers measured on
this machine type and reported in the benchmark issue (#4). Writes
benchmarks/results/time_to_quality/<preset>__<backend>__seed<seed>.json.
"""

from __future__ import annotations

import json
import pathlib
import time

from absl import app, flags

from benchmarks import provenance
from benchmarks.quality_curve import best_moving_average, first_reaching

FLAGS = flags.FLAGS
# sasrec_ss: the pre-LN block without item dropout that every run here
# used (the files of before issue 18 name it sasrec_plus, its name then).
flags.DEFINE_string("preset", "sasrec_ss", "Preset whose block is used.")
flags.DEFINE_string(
    "data_dir",
    str(pathlib.Path(__file__).resolve().parents[2] / "shared" / "data"),
    "Folder holding ml-100k/.",
)
flags.DEFINE_integer("seed", 0, "Random seed.")
flags.DEFINE_integer("epochs", 20, "Most epochs to train.")
flags.DEFINE_float(
    "learning_rate",
    5e-3,
    "Adam learning rate (chosen by validation; RecBole's is 1e-3).",
)
flags.DEFINE_integer(
    "batch_size", 128, "Training sequences per batch (RecBole: 256)."
)
flags.DEFINE_float("dropout", 0.2, "Dropout rate.")
flags.DEFINE_float(
    "recbole_target", 0.071, "RecBole's best 3-epoch moving average."
)
flags.DEFINE_float(
    "recbole_seconds", 47 * 60.0, "RecBole's training time to reach it."
)
flags.DEFINE_float("recbole_epoch_seconds", 155.0, "RecBole s/epoch.")
flags.DEFINE_string(
    "recbole_result",
    str(
        pathlib.Path(__file__).resolve().parent
        / "results"
        / "time_to_quality"
        / "recbole_sasrec__seed0.json"
    ),
    "Result file of benchmarks/recbole_sasrec.py; the --recbole_* flags "
    "are used when it does not exist.",
)
flags.DEFINE_bool(
    "rescore",
    False,
    "Do not train: compare the existing result file's curve with the "
    "current RecBole result (e.g. after a longer RecBole run).",
)
flags.DEFINE_string(
    "output_dir",
    str(
        pathlib.Path(__file__).resolve().parent / "results" / "time_to_quality"
    ),
    "Where the result file goes.",
)


def recbole_reference() -> dict:
    """RecBole's best 3-epoch moving average and the wall time to it."""
    path = pathlib.Path(FLAGS.recbole_result)
    if not path.is_file():
        return {
            "source": "benchmark issue #4 (measured there, not by this "
            "script): RecBole 1.2.1 SASRec, same split and config",
            "target_3_epoch_moving_average": FLAGS.recbole_target,
            "seconds_to_target": FLAGS.recbole_seconds,
            "seconds_per_epoch": FLAGS.recbole_epoch_seconds,
        }
    run = json.loads(path.read_text(encoding="utf-8"))
    at = run["best_3_epoch_moving_average_at"]
    if at is None:
        raise ValueError(f"{path}: fewer than 3 validated epochs")
    epochs = len(run["history"])
    return {
        "source": f"{run['library']} run on this machine by "
        f"benchmarks/recbole_sasrec.py ({path.name}, {run['date']}, "
        f"{epochs} epochs, "
        f"{'finished' if run['finished'] else 'stopped before finishing'})",
        "target_3_epoch_moving_average": run["best_3_epoch_moving_average"],
        "seconds_to_target": at["wall_s"],
        "epoch_of_target": at["epoch"],
        "seconds_per_epoch": run["seconds_per_epoch"],
        "best_val_ndcg@10": run["best_val_ndcg@10"],
        "stopping_step": run["config"]["stopping_step"],
        "cpus_used": run["machine"].get("cpus_used"),
        "torch_threads": run.get("torch_threads"),
        "result_file": path.name,
    }


def compare(history: list[dict], reference: dict) -> dict:
    """When our validation curve first reaches RecBole's best 3-epoch
    moving average, and how much sooner than RecBole that is."""
    curve = [row["val_ndcg@10"] for row in history]
    first = first_reaching(curve, reference["target_3_epoch_moving_average"])
    reached = None
    if first is not None:
        row = history[first[0]]
        reached = {
            "epoch": row["epoch"],
            "wall_s": row["wall_s"],
            "train_s": row["train_s"],
            "moving_average": first[1],
        }
    return {
        "best_val_ndcg@10": max(curve) if curve else None,
        "best_3_epoch_moving_average": best_moving_average(curve),
        "reached_recbole_target": reached,
        "speedup_vs_recbole_wall": (
            reference["seconds_to_target"] / reached["wall_s"]
            if reached
            else None
        ),
        "recbole_reference": reference,
    }


def main(argv: list[str]) -> None:
    del argv
    reference = recbole_reference()
    import keras

    from keras_rec_tx.utils import atomic_write_text

    path = pathlib.Path(FLAGS.output_dir) / (
        f"{FLAGS.preset}__{keras.backend.backend()}__seed{FLAGS.seed}.json"
    )
    if FLAGS.rescore:
        result = json.loads(path.read_text(encoding="utf-8"))
        result.update(compare(result["history"], reference))
        atomic_write_text(path, json.dumps(result, indent=1) + "\n")
        print(path, json.dumps(result["reached_recbole_target"]))
        return

    import keras_rec_tx as krt
    from keras_rec_tx.experiment import EpochLog

    keras.utils.set_random_seed(FLAGS.seed)
    data = krt.datasets.load("ml-100k", data_dir=FLAGS.data_dir)
    train, valid, _ = data.leave_one_out()
    train_batches = train.batches(
        batch_size=FLAGS.batch_size, max_len=50, seed=FLAGS.seed
    )
    valid_batches = valid.batches(batch_size=512, max_len=50)
    model = krt.zoo.get(
        FLAGS.preset,
        num_items=data.num_items,
        max_len=50,
        d_model=64,
        num_blocks=2,
        num_heads=2,
        d_ff=256,
        dropout=FLAGS.dropout,
        loss="softmax",
        loss_config={},
        time_encoding=None,
        user_norm_penalty=None,
        seed=FLAGS.seed,
        compile=False,
    )
    model.compile(optimizer=keras.optimizers.Adam(FLAGS.learning_rate))
    log = EpochLog()
    start = time.perf_counter()
    model.fit(
        train_batches,
        validation_data=valid_batches,
        epochs=FLAGS.epochs,
        callbacks=[log],
        verbose=2,
    )
    total = time.perf_counter() - start
    result = provenance.stamp(
        {
            "preset": FLAGS.preset,
            "config": "maxlen 50, d 64, 2 layers, 2 heads, CE loss, "
            f"batch {FLAGS.batch_size}",
            "learning_rate": FLAGS.learning_rate,
            "batch_size": FLAGS.batch_size,
            "dropout": FLAGS.dropout,
            "seed": FLAGS.seed,
            "history": log.rows,
            **compare(log.rows, reference),
            "total_seconds": total,
            "peak_rss_mb": provenance.peak_rss_mb(),
            "backend": keras.backend.backend(),
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(result, indent=1) + "\n")
    print(
        path,
        json.dumps(result["reached_recbole_target"]),
        "best MA",
        result["best_3_epoch_moving_average"],
    )


if __name__ == "__main__":
    app.run(main)
