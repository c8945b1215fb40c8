"""Where a training step's time goes, per backend (issue 22, goal 2).

Profiles `train_on_batch` of a preset (default `rope_swiglu`) on the
random full-length batches of `benchmarks/speed.py` (Beauty's catalogue,
max_len 50, batch 128) and sums the time of every kernel the backend ran,
by what it computes:

    KERAS_BACKEND=jax python -m benchmarks.step_profile
    KERAS_BACKEND=torch python -m benchmarks.step_profile

- JAX: `jax.profiler` traces the XLA:CPU kernels (thunks) of the jitted
  step; the optimised HLO (dumped with `--xla_dump_to`) maps each kernel to
  the Keras layer path and primitive it came from (`op_name` metadata,
  e.g. `jvp(backbone)/block_0/ffn/gate/dot_general`; `transpose(...)` marks
  the backward pass). `category()` sorts the paths into the groups below.
- PyTorch: `torch.profiler` self CPU time per `aten::` operator, sorted
  into the same groups by operator (eager PyTorch keeps no layer path: a
  matmul of the FFN and one of the loss are both `matmul`).

Categories: item-table gathers and their scatter-add gradients, the
sampled-softmax logits (the (B, L, K) matmul against the negatives), the
rest of the loss (softmax, masking, sampling), RoPE, attention, FFN,
norms, dropout masks, the optimizer. Kernel times are summed over the
timed steps and divided by their number; on a shared core they inflate,
their shares much less. Writes
benchmarks/results/profile/<preset>__<backend>.json.
"""

from __future__ import annotations

import collections
import glob
import gzip
import json
import os
import pathlib
import re
import shutil
import sys
import tempfile
import time
from typing import Any

from absl import app, flags

ROOT = pathlib.Path(__file__).resolve().parents[1]
FLAGS = flags.FLAGS

# (category, pattern) in order: the first pattern found in a JAX op path
# (lower case, `jit(...)`/`jvp(...)` wrappers removed) names its category.
JAX_RULES = (
    ("RoPE", r"rotary_embedding"),
    (
        "loss: gather / scatter-add of item rows",
        r"_loss/.*(take|gather|scatter)",
    ),
    ("loss: logits matmul", r"_loss/.*dot_general"),
    ("loss: sampling", r"_loss/.*(randint|categorical|random)"),
    ("loss: softmax, masking, reductions", r"_loss/"),
    ("input: item / position embedding gathers", r"embedding/"),
    ("dropout masks", r"dropout"),
    ("attention", r"attention"),
    ("feed-forward", r"ffn"),
    ("norms", r"norm"),
    ("optimizer", r"^(adam|sgd|optimizer)|/(adam|adamw)/"),
)
# The same groups for PyTorch's aten operators (self CPU time).
TORCH_RULES = (
    ("gathers of item rows", r"index_select|embedding$|^aten::take|gather"),
    (
        "scatter-add gradients of gathers",
        r"index_add|embedding_dense_backward|scatter_add|index_put|"
        r"embedding_backward",
    ),
    ("matmuls (all layers)", r"::(mm|bmm|addmm|matmul|linear|einsum)$"),
    ("softmax, logsumexp", r"logsumexp|softmax|softplus"),
    ("copies, concatenation, layout", r"copy_|::cat$|contiguous|clone|to$"),
    (
        "elementwise (masking, activations, norms, optimizer)",
        r"::(add|mul|sub|div|where|eq|ne|exp|log|neg|rsqrt|sqrt|pow|sigmoid|"
        r"silu|gelu|relu|tanh|sin|cos|lerp|addcmul|addcdiv|maximum|"
        r"minimum|clamp|fill|zero|masked_fill|bernoulli|rand|uniform)",
    ),
    ("reductions", r"::(sum|mean|max|min|amax|norm|var)"),
)


def category(path: str, rules: tuple = JAX_RULES) -> str:
    """The first category of `rules` whose pattern occurs in `path`."""
    text = path.lower()
    for name, pattern in rules:
        if re.search(pattern, text):
            return name
    return "other"


def jax_op_path(op_name: str) -> tuple[str, str]:
    """`("forward" | "backward", path)` of an XLA `op_name`, wrappers
    (`jit(train_step)/`, `jvp(...)`, `transpose(...)`) removed."""
    direction = "backward" if "transpose(" in op_name else "forward"
    path = re.sub(r"^jit\(train_step\)/", "", op_name)
    path = re.sub(r"(transpose|jvp|jit|vmap|checkpoint)\(", "", path)
    return direction, path.replace(")", "")


def define_flags() -> None:
    flags.DEFINE_string("preset", "rope_swiglu", "Preset to profile.")
    flags.DEFINE_integer("steps", 5, "Profiled training steps.")
    flags.DEFINE_integer("batch_size", 128, "Training batch size.")
    flags.DEFINE_integer("max_len", 50, "Sequence length.")
    flags.DEFINE_integer("num_items", 12101, "Catalogue size (Beauty).")
    flags.DEFINE_string(
        "output", None, "Output file (default results/profile/...)."
    )


def _model_and_batches() -> tuple[Any, list]:
    import keras

    from benchmarks.speed import full_length_batches
    from keras_rec_tx import zoo

    keras.utils.set_random_seed(0)
    model = zoo.get(
        FLAGS.preset, num_items=FLAGS.num_items, max_len=FLAGS.max_len
    )
    batches = full_length_batches(
        FLAGS.steps + 2, FLAGS.batch_size, FLAGS.max_len, FLAGS.num_items
    )
    for batch in batches[:2]:  # compile / warm up
        model.train_on_batch(*batch)
    return model, batches[2:]


def profile_jax(dump_dir: str) -> dict[str, float]:
    """Microseconds per kernel path, summed over the profiled steps."""
    import jax

    model, batches = _model_and_batches()
    trace_dir = tempfile.mkdtemp(prefix="step_profile_")
    jax.profiler.start_trace(trace_dir)
    for batch in batches:
        model.train_on_batch(*batch)
    jax.profiler.stop_trace()
    # The largest optimised module is the training step.
    modules = glob.glob(f"{dump_dir}/*train_step*after_optimizations.txt")
    hlo = pathlib.Path(max(modules, key=os.path.getsize)).read_text()
    op_names = dict(
        re.findall(
            r"^\s*(?:ROOT )?%?([\w.\-]+) = .*?op_name=\"([^\"]+)\"",
            hlo,
            re.M,
        )
    )
    trace = sorted(glob.glob(f"{trace_dir}/**/*.trace.json.gz", recursive=True))
    events = json.load(gzip.open(trace[-1]))["traceEvents"]
    shutil.rmtree(trace_dir, ignore_errors=True)
    shutil.rmtree(dump_dir, ignore_errors=True)
    times: dict[str, float] = collections.Counter()
    for event in events:
        if event.get("ph") == "X" and event.get("name") in op_names:
            direction, path = jax_op_path(op_names[event["name"]])
            times[f"{direction} {path}"] += event["dur"]
    return times


def profile_torch() -> dict[str, float]:
    import torch

    model, batches = _model_and_batches()
    with torch.profiler.profile(
        activities=[torch.profiler.ProfilerActivity.CPU]
    ) as prof:
        for batch in batches:
            model.train_on_batch(*batch)
    return {
        e.key: e.self_cpu_time_total
        for e in prof.key_averages()
        if e.key.startswith("aten::")
    }


def summarize(times: dict[str, float], backend: str) -> dict[str, Any]:
    """Per-category milliseconds per step and shares of the kernel time."""
    rules = TORCH_RULES if backend == "torch" else JAX_RULES
    steps = FLAGS.steps
    by_cat: dict[str, float] = collections.Counter()
    for key, us in times.items():
        path = key.split(" ", 1)[-1] if backend == "jax" else key
        by_cat[category(path, rules)] += us
    total = sum(by_cat.values())
    top = sorted(times.items(), key=lambda kv: -kv[1])[:15]
    return {
        "kernel_ms_per_step": total / steps / 1e3,
        "categories": [
            {
                "category": name,
                "ms_per_step": us / steps / 1e3,
                "share": us / total,
            }
            for name, us in sorted(by_cat.items(), key=lambda kv: -kv[1])
        ],
        "top_kernels": [
            {"kernel": k, "ms_per_step": us / steps / 1e3, "share": us / total}
            for k, us in top
        ],
    }


def main(argv: list[str]) -> None:
    del argv
    from benchmarks import provenance
    from keras_rec_tx.utils.atomic import atomic_write_text

    dump_dir = os.environ.get("STEP_PROFILE_DUMP")
    import keras

    backend = keras.backend.backend()
    if backend == "jax":
        if not dump_dir:
            raise SystemExit(
                "Run through `python -m benchmarks.step_profile`, which sets "
                "XLA_FLAGS=--xla_dump_to before JAX starts."
            )
        start_cpu, start = time.process_time(), time.perf_counter()
        times = profile_jax(dump_dir)
    elif backend == "torch":
        start_cpu, start = time.process_time(), time.perf_counter()
        times = profile_torch()
    else:
        raise SystemExit(
            "benchmarks.step_profile profiles JAX and PyTorch (issue 22); "
            f"KERAS_BACKEND={backend}."
        )
    result = summarize(times, backend)
    result.update(
        {
            "benchmark": "step_profile",
            "backend": backend,
            "preset": FLAGS.preset,
            "steps": FLAGS.steps,
            "batch": [FLAGS.batch_size, FLAGS.max_len],
            "num_items": FLAGS.num_items,
            "cpu_per_wall_second": (time.process_time() - start_cpu)
            / (time.perf_counter() - start),
        }
    )
    result = provenance.stamp(
        result,
        command=f"KERAS_BACKEND={backend} python -m benchmarks.step_profile "
        + provenance.command_line(sys.argv[1:]),
    )
    output = pathlib.Path(
        FLAGS.output
        or ROOT
        / "benchmarks/results/profile"
        / f"{FLAGS.preset}__{backend}.json"
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(output, json.dumps(result, indent=2) + "\n")
    for row in result["categories"]:
        print(
            f"{row['ms_per_step']:8.2f} ms {100 * row['share']:5.1f}%  "
            f"{row['category']}"
        )
    print(f"wrote {output}")


if __name__ == "__main__":
    # XLA reads its flags once, when JAX starts: dump the optimised HLO
    # (it names each kernel's layer) before anything imports JAX.
    if os.environ.get("KERAS_BACKEND", "") == "jax" and not os.environ.get(
        "STEP_PROFILE_DUMP"
    ):
        dump = tempfile.mkdtemp(prefix="step_profile_hlo_")
        os.environ["STEP_PROFILE_DUMP"] = dump
        os.environ["XLA_FLAGS"] = (
            os.environ.get("XLA_FLAGS", "")
            + f" --xla_dump_to={dump} --xla_dump_hlo_pass_re=^$"
        ).strip()
    define_flags()
    app.run(main)
