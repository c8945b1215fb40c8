"""Training speed, MFU, RMSNorm vs LayerNorm and evaluation throughput.

Runs on the current KERAS_BACKEND and writes
benchmarks/results/speed/<backend>.json (machine, date, command included):

    KERAS_BACKEND=jax python -m benchmarks.speed
    KERAS_BACKEND=torch python -m benchmarks.speed --presets=rope_swiglu

1. Training throughput per preset. Each preset is built at its own
   architecture with `num_items=12101` (Amazon Beauty's catalogue) and
   `max_len=50` (`--max_len=0`: the preset's own) and trained with
   `train_on_batch`, on
   - `--lengths=full` (default): random full-length batches (every one of
     the B x L positions is a real token, no padding; random timestamps, so
     time-aware presets run too). One batch shape, so one compilation;
   - `--lengths=beauty`: one epoch of a synthetic log shaped like Beauty
     (22,363 users, mean 8.88 interactions, leave-one-out training split)
     batched by `SequenceBatches` exactly as in training: length bucketing
     (the default lengths chosen from the data; the published results
     predate that and used 4, 8, 16, 32, 50), left padding. Most batches
     are short.
   One step per distinct batch length plus `--warmup` steps run first and
   are not timed (compilation, tracing); then `--steps` batches (the same
   for every preset) are timed one by one. "Real tokens" are non-padding
   targets (`y != 0`); "computed tokens" are all B x L positions.
   The per-preset table compiles like `keras_rec_tx.zoo.get` and
   `keras_rec_tx.experiment.run` (`--jit_compile=auto`, Keras' default,
   which resolves to: JAX `jax.jit`; TensorFlow XLA with an accelerator,
   else a `tf.function` graph without XLA; PyTorch eager). The resolved
   value is recorded. `--detail_presets` are also timed in the other mode
   (JAX op by op; TensorFlow with XLA on a CPU-only machine; PyTorch with
   `torch.compile` only with `--torch_compile`) and on Beauty-like bucketed
   batches.

2. Model FLOPs per token (forward + backward = 3x forward, the usual
   6 * params rule), counting a multiply-add as 2 FLOPs, for a batch padded
   to length L:
       dense     = 6 * P_matmul       (P_matmul: every Dense/EinsumDense
                                       kernel applied per position: q, k,
                                       v, o, FFN, timestamp projections)
       attention = 12 * L * d * blocks (q.k^T and attn.v, 2 * L * d each
                                       forward; the full L x L product is
                                       computed, the causal mask does not
                                       skip work)
       output    = 6 * d * C          (scores against C candidates per
                                       position: sampled softmax C = 1 +
                                       num_negatives, BCE C = 2, full
                                       softmax C = num_items + 1)
   Embedding gathers, norms, activations, the loss and the optimizer are
   not counted. Model FLOP/s = sum over the timed batches of
   B * L * flops(L) / time. MFU = model FLOP/s / peak, the peak being the
   best float32 `keras.ops.matmul` rate (n x n, `--matmul_size`) of the
   same backend, measured at the start and at the end of the same run (the
   higher of the two is used). "Useful MFU" counts real tokens only.

3. RMSNorm vs LayerNorm: forward + backward (gradients w.r.t. the input
   and the scale/offset) of `keras_rec_tx.layers.RMSNorm` and
   `keras.layers.LayerNormalization(epsilon=1e-6)` on float32
   (128, 50, d) for each d in `--norm_dims`, compiled where the backend
   compiles (JAX `jax.jit`, TensorFlow `tf.function(jit_compile=True)`,
   PyTorch eager); median of `--norm_repeats` calls.

4. Evaluation throughput: `model.evaluate` (full-catalogue Recall/NDCG/MRR,
   history items excluded, batch 256) of `--eval_preset` with a Games-sized
   catalogue (23,715 items) on the leave-one-out test users of a synthetic
   log (`--eval_users` users, mean 9.26 interactions like Games); one
   untimed pass first (compilation), users/s of the second. Timed as
   `zoo.get` compiles (`jit_compile="auto"`) and in the other mode.

The machine is shared: the load average at start and end is recorded.
PyTorch's OpenMP threads suffer badly from oversubscription on a loaded
2-core machine (a LayerNorm step 30x slower with 2 threads than with 1 at
load 6): use `--torch_threads=1` there; the thread count is recorded.
"""

from __future__ import annotations

import json
import os
import pathlib
import statistics
import sys
import time
from typing import Any

from absl import app, flags

ROOT = pathlib.Path(__file__).resolve().parents[1]

FLAGS = flags.FLAGS


def define_flags() -> None:
    """The command-line flags (defined only when run as a script)."""
    flags.DEFINE_list(
        "presets", None, "Presets to time (default: every preset of the zoo)."
    )
    flags.DEFINE_integer("steps", 10, "Timed training steps per preset.")
    flags.DEFINE_integer(
        "warmup", 2, "Untimed steps after one step per distinct batch length."
    )
    flags.DEFINE_integer("batch_size", 128, "Training batch size.")
    flags.DEFINE_integer(
        "max_len", 50, "Sequence length of every preset (0: the preset's own)."
    )
    flags.DEFINE_integer("num_items", 12101, "Catalogue size (Beauty: 12101).")
    flags.DEFINE_enum(
        "lengths",
        "full",
        ["beauty", "full"],
        "full: every sequence max_len long (no padding); beauty: Beauty-like "
        "synthetic log, bucketed and left-padded as in training.",
    )
    flags.DEFINE_enum(
        "jit_compile",
        "auto",
        ["auto", "true", "false"],
        "jit_compile of the per-preset table (auto, as keras_rec_tx.zoo: "
        "XLA on JAX and TensorFlow, eager on PyTorch).",
    )
    flags.DEFINE_list(
        "detail_presets",
        ["rope_swiglu"],
        "Presets also timed with jit_compile=False and on "
        "Beauty-like bucketed batches.",
    )
    flags.DEFINE_bool(
        "torch_compile",
        False,
        "On torch, also time --detail_presets with jit_compile=True "
        "(torch.compile), on full-length and on Beauty-like batches.",
    )
    flags.DEFINE_integer("matmul_size", 2048, "n of the n x n matmul peak.")
    flags.DEFINE_integer("matmul_repeats", 7, "Timed matmuls (best is kept).")
    flags.DEFINE_list("norm_dims", ["64", "512"], "d of the norm benchmark.")
    flags.DEFINE_integer("norm_repeats", 30, "Timed calls per norm and d.")
    flags.DEFINE_integer(
        "torch_threads",
        0,
        "On torch, torch.set_num_threads(n) first (0: torch's default). On "
        "a loaded shared machine 1 avoids OpenMP oversubscription.",
    )
    flags.DEFINE_string("eval_preset", "rope_swiglu", "Preset of the eval run.")
    flags.DEFINE_integer("eval_items", 23715, "Catalogue of the eval run.")
    flags.DEFINE_integer("eval_users", 2048, "Synthetic users of the eval run.")
    flags.DEFINE_string(
        "output", None, "Output file (default results/speed/<backend>.json)."
    )


BEAUTY_USERS, BEAUTY_MEAN_LENGTH = 22363, 198502 / 22363
GAMES_MEAN_LENGTH = 287107 / 31013


# --------------------------------------------------------------- FLOPs
def flops_per_token(model: Any, seq_len: int) -> dict[str, float]:
    """Training FLOPs per position of a batch padded to `seq_len` (see the
    module docstring for the formula)."""
    matmul_params = sum(
        int(_prod(w.shape))
        for w in model.trainable_weights
        if w.path.endswith("/kernel")
    )
    d = model.d_model
    loss = model.loss_layer
    name = type(loss).__name__
    if hasattr(loss, "num_negatives"):
        candidates = 1 + int(loss.num_negatives)
    elif name == "BCELoss":
        candidates = 2
    else:  # full softmax
        candidates = model.num_items + 1
    parts = {
        "matmul_params": float(matmul_params),
        "dense": 6.0 * matmul_params,
        "attention": 12.0 * seq_len * d * model.num_blocks,
        "output": 6.0 * d * candidates,
        "output_candidates": float(candidates),
    }
    parts["total"] = parts["dense"] + parts["attention"] + parts["output"]
    return parts


def _prod(shape: Any) -> int:
    out = 1
    for s in shape:
        out *= int(s)
    return out


# ------------------------------------------------------------- helpers
def _sync(value: Any) -> None:
    """Waits for `value` (a backend tensor or a structure of them)."""
    import keras

    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        jax.block_until_ready(value)
    elif backend == "torch":
        import torch

        if torch.cuda.is_available():
            torch.cuda.synchronize()
    elif backend == "tensorflow":
        import tensorflow as tf

        # Eager ops run in order on a device: reading one element of the
        # first result waits for everything queued before it (GPU).
        leaves = tf.nest.flatten(value)
        if leaves:
            tf.reshape(leaves[0], [-1])[:1].numpy()


def matmul_peak(
    n: int, repeats: int, dtype: str = "float32"
) -> dict[str, float]:
    """Best n x n `keras.ops.matmul` rate in `dtype`, in GFLOP/s."""
    import keras
    from keras import ops

    a = keras.random.normal((n, n), seed=0, dtype=dtype)
    b = keras.random.normal((n, n), seed=1, dtype=dtype)
    _sync(ops.matmul(a, b))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        _sync(ops.matmul(a, b))
        times.append(time.perf_counter() - start)
    best = min(times)
    return {
        "n": n,
        "dtype": dtype,
        "best_seconds": best,
        "median_seconds": statistics.median(times),
        "gflops": 2.0 * n**3 / best / 1e9,
    }


def full_length_batches(
    count: int, batch_size: int, max_len: int, num_items: int, seed: int = 0
) -> list[tuple[dict, Any]]:
    """Random full-length training batches `(x, y)` with increasing
    timestamps (the CPU and the GPU throughput benchmarks time these)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        seq = rng.integers(1, num_items + 1, (batch_size, max_len + 1))
        times = np.cumsum(rng.integers(60, 86_400, seq.shape), axis=1)
        x = {
            "item_ids": seq[:, :-1].astype("int32"),
            "timestamps": times[:, :-1].astype("int32"),
            "query_timestamps": times[:, 1:].astype("int32"),
        }
        out.append((x, seq[:, 1:].astype("int32")))
    return out


def training_batches(
    lengths: str, batch_size: int, max_len: int, num_items: int
) -> list[tuple]:
    """One epoch of training batches, in epoch order: `(x, y)`, or
    `(x, y, sample_weight)` when bucketed."""

    import keras_rec_tx

    if lengths == "full":
        return full_length_batches(64, batch_size, max_len, num_items)
    data = keras_rec_tx.datasets.synthetic(
        num_users=BEAUTY_USERS,
        num_items=num_items,
        mean_length=BEAUTY_MEAN_LENGTH,
        seed=0,
    )
    train, _, _ = data.leave_one_out()
    batches = train.batches(
        batch_size=batch_size, max_len=max_len, shuffle=True, seed=0
    )
    return [batches[i] for i in range(len(batches))]


def time_training(
    name: str,
    batches: list[tuple],
    *,
    max_len: int,
    num_items: int,
    steps: int,
    warmup: int,
    jit_compile: bool | str,
) -> dict[str, Any]:
    """Trains preset `name` on `batches` and times `steps` steps."""
    import keras
    import numpy as np

    from keras_rec_tx import zoo
    from keras_rec_tx.experiment import architecture

    keras.utils.set_random_seed(0)
    preset = zoo.describe(name)
    arch = {"num_items": num_items}
    if max_len:
        arch["max_len"] = max_len
    model = zoo.get(name, compile=False, **arch)
    model.compile(
        optimizer=zoo.make_optimizer(preset["training"], len(batches)),
        jit_compile=jit_compile,
    )
    # Warm-up: the first batch of every distinct length, then `warmup`.
    seen, warm = set(), []
    # A batch is (x, y) or, bucketed, (x, y, sample_weight).
    for batch in batches:
        width = batch[0]["item_ids"].shape[1]
        if width not in seen:
            seen.add(width)
            warm.append(batch)
    rest = [b for b in batches if all(b is not w for w in warm)]
    warm += rest[:warmup]
    timed = rest[warmup : warmup + steps]
    if len(timed) < steps:
        timed = (timed * (steps // max(1, len(timed)) + 1))[:steps]
    start = time.perf_counter()
    for batch in warm:
        model.train_on_batch(*batch)
    warmup_seconds = time.perf_counter() - start
    step_times, real, computed, flops, useful = [], 0, 0, 0.0, 0.0
    cpu_start = time.process_time()
    for batch in timed:
        y = batch[1]
        start = time.perf_counter()
        logs = model.train_on_batch(*batch, return_dict=True)
        step_times.append(time.perf_counter() - start)
        b, seq = y.shape
        per_token = flops_per_token(model, seq)["total"]
        real += int(np.count_nonzero(y))
        computed += b * seq
        flops += b * seq * per_token
        useful += int(np.count_nonzero(y)) * per_token
    total = sum(step_times)
    # CPU seconds of this process (all its threads) in the timed steps,
    # the metric and data bookkeeping included: on a shared machine, an
    # estimate of the time the steps take on idle cores.
    cpu = time.process_time() - cpu_start
    return {
        "preset": name,
        # What was timed, as a run's result file records it, so the report
        # can tell when the preset has been redefined since.
        "architecture": architecture(model),
        "overrides": arch,
        "training": preset["training"],
        "jit_compile_arg": jit_compile,
        "jit_compile": bool(model.jit_compile),
        "num_params": int(model.count_params()),
        "flops_per_token_at_max_len": flops_per_token(model, model.max_len),
        "max_len": model.max_len,
        "warmup_steps": len(warm),
        "warmup_seconds": warmup_seconds,
        "steps": len(timed),
        "step_ms_median": 1e3 * statistics.median(step_times),
        "step_ms_mean": 1e3 * total / len(timed),
        "real_tokens": real,
        "computed_tokens": computed,
        "real_tokens_per_s": real / total,
        "timed_cpu_seconds": cpu,
        "real_tokens_per_cpu_s": real / cpu,
        "computed_tokens_per_s": computed / total,
        "model_gflops_per_s": flops / total / 1e9,
        "useful_gflops_per_s": useful / total / 1e9,
        "final_loss": float(logs.get("loss", float("nan"))),
    }


# ------------------------------------------------------- norm benchmark
def _grad_step(layer: Any, x: Any) -> Any:
    """A compiled forward + backward call of `layer` on `x` (a thunk)."""
    import keras

    backend = keras.backend.backend()
    if backend == "jax":
        import jax
        import jax.numpy as jnp

        trainable = [v.value for v in layer.trainable_variables]
        fixed = [v.value for v in layer.non_trainable_variables]

        def loss(params, inputs):
            y, _ = layer.stateless_call(params, fixed, inputs)
            return jnp.sum(y * y)

        step = jax.jit(jax.grad(loss, argnums=(0, 1)))
        inputs = jnp.asarray(x)
        return lambda: jax.block_until_ready(step(trainable, inputs))
    if backend == "tensorflow":
        import tensorflow as tf

        inputs = tf.constant(x)

        @tf.function(jit_compile=True)
        def tf_step(inputs):
            with tf.GradientTape() as tape:
                tape.watch(inputs)
                y = layer(inputs)
                loss = tf.reduce_sum(y * y)
            return tape.gradient(loss, [inputs] + layer.trainable_variables)

        return lambda: _sync(tf_step(inputs))
    if backend == "torch":
        import torch

        inputs = torch.tensor(x, requires_grad=True)
        params = [v.value for v in layer.trainable_variables]

        def torch_step():
            y = layer(inputs)
            grads = torch.autograd.grad((y * y).sum(), [inputs] + params)
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            return grads

        return torch_step
    raise ValueError(f"Unsupported backend {backend!r}")


def norm_benchmark(dims: list[int], repeats: int) -> list[dict[str, Any]]:
    """Median ms of a forward + backward step, RMSNorm vs LayerNorm."""
    import keras
    import numpy as np

    from keras_rec_tx.layers import RMSNorm

    rows = []
    for d in dims:
        shape = (128, 50, d)
        x = np.random.default_rng(0).normal(size=shape).astype("float32")
        row: dict[str, Any] = {"shape": list(shape)}
        for label, layer in (
            ("rmsnorm", RMSNorm(epsilon=1e-6)),
            ("layernorm", keras.layers.LayerNormalization(epsilon=1e-6)),
        ):
            layer.build(shape)
            step = _grad_step(layer, x)
            for _ in range(3):
                step()
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                step()
                times.append(time.perf_counter() - start)
            row[f"{label}_ms"] = 1e3 * statistics.median(times)
        row["rmsnorm_over_layernorm"] = row["rmsnorm_ms"] / row["layernorm_ms"]
        rows.append(row)
    return rows


# ------------------------------------------------------ eval throughput
def eval_throughput(
    preset: str, num_items: int, num_users: int, jit_compile: bool | str
) -> dict:
    """Users/s of `model.evaluate` over the full catalogue."""
    import keras

    import keras_rec_tx
    from keras_rec_tx import zoo

    keras.utils.set_random_seed(0)
    data = keras_rec_tx.datasets.synthetic(
        num_users=num_users,
        num_items=num_items,
        mean_length=GAMES_MEAN_LENGTH,
        seed=1,
    )
    _, _, test = data.leave_one_out()
    batches = test.batches(batch_size=256, max_len=50, protocol="full")
    model = zoo.get(preset, num_items=num_items, max_len=50, compile=False)
    model.compile(jit_compile=jit_compile)
    start = time.perf_counter()
    model.evaluate(batches, verbose=0)
    first = time.perf_counter() - start
    start = time.perf_counter()
    model.evaluate(batches, verbose=0)
    seconds = time.perf_counter() - start
    users = batches.num_sequences
    return {
        "preset": preset,
        "jit_compile_arg": jit_compile,
        "jit_compile": bool(model.jit_compile),
        "num_items": num_items,
        "users": users,
        "batch_size": 256,
        "max_len": 50,
        "first_pass_seconds": first,
        "seconds": seconds,
        "users_per_s": users / seconds,
    }


# ----------------------------------------------------------------- main
def plan(
    presets: list[str],
    detail: list[str],
    lengths: str,
    jit: bool | str,
    jit_resolved: bool,
    torch_compile: bool,
    backend: str,
) -> list[dict[str, Any]]:
    """The training runs: (preset, lengths, jit_compile, table)."""
    runs = [
        {"preset": p, "lengths": lengths, "jit_compile": jit, "table": "main"}
        for p in presets
    ]
    for p in detail:
        extra = []
        if backend != "torch" or torch_compile:
            # The other compilation mode.
            extra.append((lengths, not jit_resolved))
        if lengths != "beauty":
            extra.append(("beauty", jit))
            if backend == "torch" and torch_compile:
                # Bucketed batches under torch.compile: the warm-up holds a
                # step per length, but later recompiles are timed (dynamo
                # may compile again when a length comes back).
                extra.append(("beauty", not jit_resolved))
        for extra_lengths, extra_jit in extra:
            runs.append(
                {
                    "preset": p,
                    "lengths": extra_lengths,
                    "jit_compile": extra_jit,
                    "table": "detail",
                }
            )
    return runs


def main(argv: list[str]) -> None:
    del argv
    import keras

    from benchmarks import provenance
    from keras_rec_tx import zoo
    from keras_rec_tx.utils import atomic_write_text

    backend = keras.backend.backend()
    threads = {"OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS")}
    if backend != "torch":  # XLA's Eigen pool (benchmarks.threads)
        threads["XLA_FLAGS"] = os.environ.get("XLA_FLAGS", "")
    if backend == "torch":
        import torch

        if FLAGS.torch_threads:
            torch.set_num_threads(FLAGS.torch_threads)
        threads["torch_num_threads"] = torch.get_num_threads()
    output = pathlib.Path(
        FLAGS.output or ROOT / "benchmarks/results/speed" / f"{backend}.json"
    )
    jit = {"auto": "auto", "true": True, "false": False}[FLAGS.jit_compile]
    # What Keras resolves "auto" to: XLA on JAX; on TensorFlow only with an
    # accelerator; never on torch.
    probe = zoo.get("sasrec", num_items=10, compile=False)
    probe.compile(jit_compile=jit)
    jit_resolved = bool(probe.jit_compile)
    argv_text = provenance.command_line(sys.argv[1:])
    report: dict[str, Any] = {
        "benchmark": "speed",
        "backend": backend,
        "date": provenance.utc_now(),
        "command": (
            f"KERAS_BACKEND={backend} python -m benchmarks.speed {argv_text}"
        ).strip(),
        "machine": provenance.machine(),
        "load_average_start": list(os.getloadavg()),
        "settings": {
            "batch_size": FLAGS.batch_size,
            "max_len": FLAGS.max_len or "preset",
            "num_items": FLAGS.num_items,
            "lengths": FLAGS.lengths,
            "jit_compile": jit,
            "jit_compile_resolved": jit_resolved,
            "threads": threads,
            "steps": FLAGS.steps,
            "warmup": FLAGS.warmup,
        },
        "flops_formula": (
            "per position: 6*P_matmul + 12*L*d*blocks + 6*d*C "
            "(C = scored candidates per position); see benchmarks/speed.py"
        ),
    }
    start = time.perf_counter()
    peak = matmul_peak(FLAGS.matmul_size, FLAGS.matmul_repeats)
    report["matmul_peak"] = peak
    print(f"[{backend}] matmul peak {peak['gflops']:.1f} GFLOP/s", flush=True)

    cache: dict[tuple, list] = {}
    report["training"] = []
    runs = plan(
        FLAGS.presets or zoo.list(),
        FLAGS.detail_presets,
        FLAGS.lengths,
        jit,
        jit_resolved,
        FLAGS.torch_compile,
        backend,
    )
    for run in runs:
        max_len = FLAGS.max_len or int(
            zoo.describe(run["preset"])["architecture"]["max_len"]
        )
        key = (run["lengths"], max_len)
        if key not in cache:
            cache[key] = training_batches(
                run["lengths"], FLAGS.batch_size, max_len, FLAGS.num_items
            )
        row = time_training(
            run["preset"],
            cache[key],
            max_len=max_len,
            num_items=FLAGS.num_items,
            steps=FLAGS.steps,
            warmup=FLAGS.warmup,
            jit_compile=run["jit_compile"],
        )
        row.update(lengths=run["lengths"], table=run["table"])
        report["training"].append(row)
        print(
            f"[{backend}] {run}: {row['real_tokens_per_s']:.0f} real tok/s, "
            f"{row['step_ms_median']:.1f} ms/step, "
            f"{row['model_gflops_per_s']:.2f} GFLOP/s",
            flush=True,
        )

    report["norm"] = norm_benchmark(
        [int(d) for d in FLAGS.norm_dims], FLAGS.norm_repeats
    )
    for row in report["norm"]:
        print(f"[{backend}] norm {row}", flush=True)
    report["eval"] = []
    eval_modes = [jit]
    if backend != "torch" or FLAGS.torch_compile:
        eval_modes.append(not jit_resolved)
    for eval_jit in eval_modes:
        row = eval_throughput(
            FLAGS.eval_preset, FLAGS.eval_items, FLAGS.eval_users, eval_jit
        )
        report["eval"].append(row)
        print(f"[{backend}] eval {row}", flush=True)
    report["matmul_peak_end"] = matmul_peak(
        FLAGS.matmul_size, FLAGS.matmul_repeats
    )
    report["load_average_end"] = list(os.getloadavg())
    # MFU against the better of the two peak measurements (conservative).
    best = max(peak["gflops"], report["matmul_peak_end"]["gflops"])
    report["peak_gflops"] = best
    for row in report["training"]:
        row["mfu"] = row["model_gflops_per_s"] / best
        row["useful_mfu"] = row["useful_gflops_per_s"] / best
    report["total_seconds"] = time.perf_counter() - start
    output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(output, json.dumps(report, indent=2) + "\n")
    print(f"wrote {output} in {report['total_seconds']:.0f} s")


if __name__ == "__main__":
    define_flags()
    app.run(main)
