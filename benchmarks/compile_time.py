"""Compile seconds of a short fit, per backend (issue 22, "compile once").

Trains a preset (default `rope_swiglu`) on MovieLens-100k for a few epochs
exactly as every benchmark does (`keras_rec_tx.experiment.run`: bucketed
training batches, validation after every epoch) and splits each epoch's
wall time into training and validation. What the first epoch costs beyond
a steady one is compilation (JAX `jax.jit` per batch shape, TensorFlow's
`tf.function` tracing, first-call overheads on PyTorch):

    compile_s = (train_1 - median(train_2..n)) + (valid_1 - median(valid_2..n))
    compile_share = compile_s / fit wall time

and the same in CPU seconds of the process (`compile_cpu_share`), which a
shared core inflates far less than wall seconds. Under JAX the fit also
records where its compiling went, from JAX's own duration events
(`jax.monitoring`): tracing the Python step into a jaxpr, lowering it to
an MLIR module, and XLA's compilation (or, with the persistent cache,
reading the compiled program back), summed over every program of the fit.

The target of the issue is a share of at most 10% for a short fit. Under
JAX the persistent compilation cache (`keras_rec_tx.utils.
enable_compilation_cache`, on by default in `krt.fit` and the CLI) is run
cold (an emptied cache folder) and warm (the folder a cold run filled, in a
new process):

    KERAS_BACKEND=jax python -m benchmarks.compile_time --jax_cache=cold
    KERAS_BACKEND=jax python -m benchmarks.compile_time --jax_cache=warm
    KERAS_BACKEND=tensorflow python -m benchmarks.compile_time
    KERAS_BACKEND=torch python -m benchmarks.compile_time

Writes benchmarks/results/compile_time/<preset>__<backend>[__<cache>].json
(machine, date and command included), with the distinct batch shapes of
an epoch: each one is a program to compile under JAX. The machine may be
shared: the fit's CPU seconds per wall second are recorded (below 1 on one
core means other work took some of it, and every time is inflated).
"""

from __future__ import annotations

import json
import pathlib
import shutil
import statistics
import sys
import time
from typing import Any

from absl import app, flags

ROOT = pathlib.Path(__file__).resolve().parents[1]
TARGET_SHARE = 0.10

FLAGS = flags.FLAGS


def define_flags() -> None:
    """The command-line flags (defined only when run as a script)."""
    flags.DEFINE_string("preset", "rope_swiglu", "Preset to train.")
    flags.DEFINE_string("dataset", "ml-100k", "Dataset name (load_by_name).")
    flags.DEFINE_string(
        "data_dir", str(ROOT.parent / "shared" / "data"), "Dataset folder."
    )
    flags.DEFINE_integer("epochs", 5, "Epochs of the short fit (>= 2).")
    flags.DEFINE_integer("seed", 0, "Random seed.")
    flags.DEFINE_enum(
        "jax_cache",
        "cold",
        ["cold", "warm", "off"],
        "JAX only: cold empties --cache_dir first, warm reuses it, off "
        "runs without the persistent cache.",
    )
    flags.DEFINE_string(
        "cache_dir",
        "/tmp/keras_rec_tx_compile_time_cache",
        "JAX's persistent cache folder of the cold and warm runs.",
    )
    flags.DEFINE_string(
        "output_dir",
        str(ROOT / "benchmarks" / "results" / "compile_time"),
        "Where the result file goes.",
    )


def split_epochs(history: list[dict[str, Any]]) -> list[dict[str, float]]:
    """Training and validation seconds of each epoch, from
    `experiment.run`'s cumulative `train_s` and `wall_s` (and CPU seconds
    from `train_cpu_s` and `cpu_s`, where the history has them)."""
    rows, before = [], {}
    for row in history:
        now = {k: row[k] for k in ("train_s", "wall_s") if k in row}
        out = {"epoch": row["epoch"]}
        out["train_s"] = row["train_s"] - before.get("train_s", 0.0)
        out["valid_s"] = row["wall_s"] - before.get("wall_s", 0.0)
        out["valid_s"] -= out["train_s"]
        if "cpu_s" in row and "train_cpu_s" in row:
            now.update(cpu_s=row["cpu_s"], train_cpu_s=row["train_cpu_s"])
            out["train_cpu_s"] = row["train_cpu_s"] - before.get(
                "train_cpu_s", 0.0
            )
            out["valid_cpu_s"] = (
                row["cpu_s"] - before.get("cpu_s", 0.0) - out["train_cpu_s"]
            )
        rows.append(out)
        before = now
    return rows


def compile_seconds(epochs: list[dict[str, float]]) -> dict[str, float]:
    """First epoch minus the median later epoch, for training and
    validation, and their sum (never below 0: noise); the same in CPU
    seconds where the epochs have them."""
    if len(epochs) < 2:
        raise ValueError(
            f"Compile seconds need at least 2 epochs. Received: {len(epochs)}"
        )
    out = {}
    kinds = [("train_s", "valid_s", "compile_s")]
    if "train_cpu_s" in epochs[0]:
        kinds.append(("train_cpu_s", "valid_cpu_s", "compile_cpu_s"))
    for parts, total in ((k[:2], k[2]) for k in kinds):
        for part in parts:
            steady = statistics.median(e[part] for e in epochs[1:])
            out[f"steady_{part}"] = steady
            out[f"compile_{part}"] = max(0.0, epochs[0][part] - steady)
        out[total] = sum(out[f"compile_{part}"] for part in parts)
    return out


# JAX's duration events of compiling a program (jax._src.dispatch).
JAX_COMPILE_EVENTS = {
    "/jax/core/compile/jaxpr_trace_duration": "trace",
    "/jax/core/compile/jaxpr_to_mlir_module_duration": "lower",
    "/jax/core/compile/backend_compile_duration": "xla_compile_or_cache_read",
}


def record_jax_compile_events() -> dict[str, dict[str, float]]:
    """Registers a listener of JAX's compile duration events; returns the
    dict it fills: `{stage: {"seconds": total, "programs": count}}`."""
    import jax

    totals: dict[str, dict[str, float]] = {
        stage: {"seconds": 0.0, "programs": 0}
        for stage in JAX_COMPILE_EVENTS.values()
    }

    def listen(event: str, duration: float, **kwargs: Any) -> None:
        stage = JAX_COMPILE_EVENTS.get(event)
        if stage:
            totals[stage]["seconds"] += duration
            totals[stage]["programs"] += 1

    jax.monitoring.register_event_duration_secs_listener(listen)
    return totals


def batch_shapes(batches: Any) -> list[list[int]]:
    """The distinct `(batch, length)` input shapes of one epoch."""
    shapes = {
        tuple(int(n) for n in batches[i][0]["item_ids"].shape)
        for i in range(len(batches))
    }
    return [list(s) for s in sorted(shapes)]


def epoch_shapes(data: Any, preset: str, seed: int) -> dict[str, Any]:
    """The batch shapes `experiment.run` feeds (its own batch settings)."""
    from keras_rec_tx import experiment, zoo

    recipe = zoo.describe(preset)
    training = recipe["training"]
    max_len = recipe["architecture"]["max_len"]
    train, valid, test = data.leave_one_out()
    train_batches = train.batches(
        batch_size=training["batch_size"],
        max_len=max_len,
        seed=seed,
        bucketing=training["bucketing"],
    )
    valid_batches, _ = experiment.evaluation_batches(
        valid,
        test,
        protocol="full-loo",
        seed=seed,
        max_len=max_len,
        bucketing=training["bucketing"],
    )
    return {
        "train_batches": len(train_batches),
        "train_shapes": batch_shapes(train_batches),
        "valid_batches": len(valid_batches),
        "valid_shapes": batch_shapes(valid_batches),
    }


def main(argv: list[str]) -> None:
    del argv
    import keras

    from benchmarks import provenance
    from keras_rec_tx import datasets, experiment
    from keras_rec_tx.utils import atomic_write_text, enable_compilation_cache

    backend = keras.backend.backend()
    cache = FLAGS.jax_cache if backend == "jax" else None
    if cache in ("cold", "warm"):
        folder = pathlib.Path(FLAGS.cache_dir)
        if cache == "cold":
            shutil.rmtree(folder, ignore_errors=True)
        elif not folder.is_dir():
            raise ValueError(
                f"--jax_cache=warm needs the folder a cold run filled. "
                f"Received: --cache_dir={folder} (missing)"
            )
        if enable_compilation_cache(folder) is None:
            raise RuntimeError("JAX's compilation cache could not be enabled.")
    data = datasets.load_by_name(FLAGS.dataset, FLAGS.data_dir)
    jax_stages = record_jax_compile_events() if backend == "jax" else None
    start = time.perf_counter()
    result, model = experiment.run(
        FLAGS.preset,
        data,
        seed=FLAGS.seed,
        epochs=FLAGS.epochs,
        patience=FLAGS.epochs,
        validate_every=1,
    )
    run_seconds = time.perf_counter() - start
    epochs = split_epochs(result["history"])
    fit_seconds = result["history"][-1]["wall_s"]
    fit_cpu_seconds = result["history"][-1]["cpu_s"]
    seconds = compile_seconds(epochs)
    share = seconds["compile_s"] / fit_seconds
    # The same share in CPU seconds of this process: what compiling cost
    # whatever else ran on the core (wall seconds also count the waits).
    cpu_share = seconds["compile_cpu_s"] / max(fit_cpu_seconds, 1e-9)
    report = provenance.stamp(
        {
            "benchmark": "compile_time",
            "preset": FLAGS.preset,
            "dataset": FLAGS.dataset,
            "backend": backend,
            # As Keras resolved "auto": TensorFlow on a CPU runs a
            # tf.function graph without XLA.
            "jit_compile": bool(model.jit_compile),
            "jax_cache": cache,
            "epochs": len(epochs),
            "epoch_seconds": epochs,
            **seconds,
            "fit_s": fit_seconds,
            "fit_cpu_s": fit_cpu_seconds,
            "compile_share": share,
            "compile_cpu_share": cpu_share,
            "target_share": TARGET_SHARE,
            "meets_target": share <= TARGET_SHARE,
            "run_s_with_test": run_seconds,
            "fit_cpu_per_wall_second": result["fit_cpu_per_wall_second"],
            # Wall seconds over the whole run, the test evaluation's
            # programs included.
            "jax_compile_stages": jax_stages,
            **epoch_shapes(data, FLAGS.preset, FLAGS.seed),
        },
        command=(
            f"KERAS_BACKEND={backend} python -m benchmarks.compile_time "
            + provenance.command_line(sys.argv[1:])
        ).strip(),
    )
    name = f"{FLAGS.preset}__{backend}" + (f"__cache_{cache}" if cache else "")
    path = pathlib.Path(FLAGS.output_dir) / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(report, indent=1) + "\n")
    print(
        f"{path}: compile {seconds['compile_s']:.1f} s of a "
        f"{fit_seconds:.1f} s fit ({100 * share:.0f}%; train "
        f"{seconds['compile_train_s']:.1f} s, validation "
        f"{seconds['compile_valid_s']:.1f} s); in CPU seconds "
        f"{seconds['compile_cpu_s']:.1f} of {fit_cpu_seconds:.1f} "
        f"({100 * cpu_share:.0f}%)"
    )


if __name__ == "__main__":
    define_flags()
    app.run(main)
