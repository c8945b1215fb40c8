"""Training throughput of the flagship preset at a GPU-sized configuration.

One command on a machine with an accelerator (any backend):

    KERAS_BACKEND=jax python -m benchmarks.gpu_throughput
    KERAS_BACKEND=torch python -m benchmarks.gpu_throughput --batch_size=256
    KERAS_BACKEND=jax python -m benchmarks.gpu_throughput --smoke   # CPU test
    KERAS_BACKEND=jax python -m benchmarks.gpu_throughput --sweep   # levers

Builds `--preset` (default `rope_swiglu_time`; it needs timestamps, which
the synthetic batches have) at d_model 256, 4 blocks, 4 heads, max_len
200, a 100k-item catalogue (GLU hidden width at the parameter count of a
4 * d_model FFN unless `--d_ff` is given), and trains it with
`train_on_batch` on random full-length batches of `--batch_size` sequences
(every position a real token: item ids uniform in 1..num_items, increasing
timestamps). `--warmup` steps (compilation) are not timed; `--steps` steps
are timed one by one (each step returns its loss to the host, which waits
for the device). Reports tokens/s, step time, model FLOPs per token (the
formula of `benchmarks/speed.py`: 6 * matmul params + 12 * L * d * blocks
+ 6 * d * scored candidates) and MFU against the `keras.ops.matmul` peak
in the compute dtype measured in the same run (so a bfloat16 run is held
to the bfloat16 peak: compare runs by tokens/s), plus peak device memory
where the backend reports it.

The levers (each recorded under `"settings"` in the result file):

- `--dtype_policy=mixed_bfloat16`: bfloat16 compute, float32 variables.
  The loss stays float32: the retrieval losses are float32 layers that
  upcast the hidden states and the item table before scoring (the result
  records `loss_dtype`, the loss layer's compute dtype).
- `--dropout`: overrides the preset's dropout (0.2 for the flagship).
  `CausalSelfAttention` calls `keras.ops.dot_product_attention` (which may
  pick a fused kernel) only when no attention dropout is active; while
  training with dropout > 0 it materialises the (B, heads, L, L) matrix.
- `--flash_attention=auto|true|false`: `auto` is the library's own call
  (`flash_attention=None`: the backend decides); `true`/`false` make every
  `keras.ops.dot_product_attention` call of this process pass that value
  (a benchmark-only patch; the layer has no such argument). In keras
  3.15.1, `keras.config.enable_flash_attention()` only reaches
  `MultiHeadAttention`-style layers, so it is not used. The explicit
  boolean mask matters per backend: JAX checks flash support without it
  and hands it to cuDNN as a bias (flash possible in float16/bfloat16 on
  Ampere or later); PyTorch's flash kernel takes no mask, so `auto` never
  picks it and `true` raises; TensorFlow has no flash path (`true`
  raises). The result records the request, the attention path and what
  keras' own check says for these shapes (`flash_attention_check`).
- `--loss`, `--num_negatives`, `--share_negatives`: the preset's sampled
  softmax (256 uniform negatives per sequence), or another loss
  (`softmax` = full-catalogue logits, memory B * L * num_items floats).
- `XLA_FLAGS` (environment; JAX and TensorFlow): recorded as given.

`--sweep` runs the configurations of `SWEEP` (baseline first, then all
levers together, then each lever), each in its own process (a fresh
backend, its own XLA flags), with `--config_timeout_s` per configuration
and `--sweep_budget_s` for the whole sweep; configurations that no longer
fit are skipped. Each writes its own file.

Writes benchmarks/results/gpu/<backend>_<device>.json (the baseline) or
<backend>_<device>__<name>.json (`--name`, as the sweep sets it) with the
machine, device name, date and command. The file is written at the start
with `"status": "started"` and replaced at the end (`"ok"`, or `"failed"`
with the error; the sweep marks one it had to kill `"timeout"`).
`--smoke` shrinks everything so the script runs on a CPU in seconds (used
by the tests).
"""

from __future__ import annotations

import functools
import json
import os
import pathlib
import re
import statistics
import subprocess
import sys
import time
import traceback
from typing import Any, NamedTuple

from absl import app, flags

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent

FLAGS = flags.FLAGS

BASELINE = "baseline"

SMOKE = {
    "d_model": 16,
    "num_blocks": 1,
    "num_heads": 2,
    "max_len": 16,
    "batch_size": 8,
    "num_items": 200,
    "steps": 3,
    "warmup": 1,
    "matmul_size": 128,
}


class Config(NamedTuple):
    """One configuration of the sweep: flag values and XLA flags added to
    the environment's `XLA_FLAGS` (a flag already there is replaced)."""

    flags: dict[str, Any]
    xla_flags: str = ""


_BF16 = {"dtype_policy": "mixed_bfloat16"}
_NO_DROPOUT = {"dropout": 0.0}
# cuBLAS for every GEMM: without autotuning (gpu_check.sh turns it off to
# bound compile time) XLA's Triton GEMMs run untuned tile configurations.
_CUBLAS = "--xla_gpu_enable_triton_gemm=false"
# XLA's full GEMM autotuning (costs compile time, once per shape).
_AUTOTUNE = "--xla_gpu_autotune_level=4"

# In order of priority: the sweep runs them in this order until its budget
# is spent (baseline and everything-together first: before and after).
SWEEP: dict[str, Config] = {
    BASELINE: Config({}),
    "combined": Config({**_BF16, **_NO_DROPOUT, "batch_size": 1024}, _CUBLAS),
    "bf16": Config(_BF16),
    "dropout0": Config(_NO_DROPOUT),
    "bf16_dropout0": Config({**_BF16, **_NO_DROPOUT}),
    "bf16_dropout0_flash": Config(
        {**_BF16, **_NO_DROPOUT, "flash_attention": "true"}
    ),
    "batch1024": Config({"batch_size": 1024}),
    "xla_cublas": Config({}, _CUBLAS),
    "negatives_batch": Config({"share_negatives": "batch"}),
    "xla_autotune": Config({}, _AUTOTUNE),
    "combined_autotune": Config(
        {**_BF16, **_NO_DROPOUT, "batch_size": 1024}, _AUTOTUNE
    ),
    "bf16_autotune": Config(_BF16, _AUTOTUNE),
}


def define_flags() -> None:
    """The command-line flags (defined only when run as a script)."""
    flags.DEFINE_string("preset", "rope_swiglu_time", "Preset to time.")
    flags.DEFINE_integer("d_model", 256, "Model width.")
    flags.DEFINE_integer("num_blocks", 4, "Transformer blocks.")
    flags.DEFINE_integer("num_heads", 4, "Attention heads.")
    flags.DEFINE_integer(
        "d_ff", 0, "FFN hidden width (0: GLU width of a 4 * d_model FFN)."
    )
    flags.DEFINE_integer("max_len", 200, "Sequence length.")
    flags.DEFINE_integer("batch_size", 512, "Sequences per step.")
    flags.DEFINE_integer("num_items", 100_000, "Catalogue size.")
    flags.DEFINE_integer("steps", 30, "Timed steps.")
    flags.DEFINE_integer("warmup", 5, "Untimed steps first.")
    flags.DEFINE_enum(
        "jit_compile",
        "auto",
        ["auto", "true", "false"],
        "Model.compile jit_compile (auto: XLA on JAX/TensorFlow, eager "
        "PyTorch; true on torch = torch.compile).",
    )
    flags.DEFINE_string(
        "dtype_policy",
        "float32",
        "Keras dtype policy, e.g. float32 or mixed_bfloat16 (the loss is "
        "computed in float32 either way).",
    )
    flags.DEFINE_float("dropout", None, "Dropout rate (default: the preset's).")
    flags.DEFINE_enum(
        "flash_attention",
        "auto",
        ["auto", "true", "false"],
        "flash_attention of keras.ops.dot_product_attention (auto: the "
        "library's call, the backend decides).",
    )
    flags.DEFINE_string(
        "loss", None, "Training loss name (default: the preset's)."
    )
    flags.DEFINE_integer(
        "num_negatives",
        None,
        "Negatives of a sampled loss (default: the preset's).",
    )
    flags.DEFINE_enum(
        "share_negatives",
        None,
        ["batch", "sequence", "position"],
        "Negative sharing of the sampled softmax (default: the preset's).",
    )
    flags.DEFINE_integer(
        "matmul_size",
        8192,
        "n of the n x n matmul peak (on an H200, n 4096 read under half "
        "of n 8192's bfloat16 rate, which flattered the MFU).",
    )
    flags.DEFINE_bool("smoke", False, "Tiny sizes, to test on a CPU.")
    flags.DEFINE_string(
        "name", BASELINE, "Configuration name (a suffix of the file name)."
    )
    flags.DEFINE_bool("sweep", False, "Run the configurations of SWEEP.")
    flags.DEFINE_list(
        "sweep_configs", list(SWEEP), "Configurations --sweep runs, in order."
    )
    flags.DEFINE_integer(
        "config_timeout_s", 100, "Seconds one configuration may take."
    )
    flags.DEFINE_integer(
        "sweep_budget_s", 360, "Seconds the whole sweep may take."
    )
    flags.DEFINE_string(
        "output_dir", str(HERE / "results" / "gpu"), "Where to write."
    )


def device_name() -> str:
    """Name of the accelerator the backend uses ("cpu" without one)."""
    from benchmarks import provenance

    return provenance.accelerator_name() or "cpu"


def result_filename(backend: str, device: str, name: str = BASELINE) -> str:
    """`<backend>_<device>.json` for the baseline, else
    `<backend>_<device>__<name>.json`."""
    safe = re.sub(r"[^A-Za-z0-9.-]+", "_", device).strip("_") or "unknown"
    suffix = "" if name == BASELINE else f"__{name}"
    return f"{backend}_{safe}{suffix}.json"


def merge_xla_flags(base: str, extra: str) -> str:
    """`base` XLA flags with `extra` added; a flag of `extra` replaces the
    same flag in `base`."""
    added = extra.split()
    names = {flag.split("=", 1)[0] for flag in added}
    kept = [f for f in base.split() if f.split("=", 1)[0] not in names]
    return " ".join(kept + added)


def peak_memory_bytes() -> int | None:
    """Peak device memory in use, where the backend reports it."""
    import keras

    backend = keras.backend.backend()
    try:
        if backend == "jax":
            import jax

            stats = jax.devices()[0].memory_stats() or {}
            return stats.get("peak_bytes_in_use")
        if backend == "torch":
            import torch

            if torch.cuda.is_available():
                return int(torch.cuda.max_memory_allocated())
        if backend == "tensorflow":
            import tensorflow as tf

            if tf.config.list_physical_devices("GPU"):
                return int(
                    tf.config.experimental.get_memory_info("GPU:0")["peak"]
                )
    except Exception:  # noqa: BLE001 - best effort, never fail the run
        return None
    return None


def set_flash_attention(value: bool) -> None:
    """Makes every `keras.ops.dot_product_attention` call of this process
    pass `flash_attention=value` (benchmark only)."""
    import keras

    original = keras.ops.dot_product_attention
    keras.ops.dot_product_attention = functools.partial(
        original, flash_attention=value
    )


def flash_attention_check(
    batch: int, seq: int, heads: int, head_dim: int, dtype: str
) -> bool | str:
    """What keras' own test (private, so best effort) says about flash
    attention for the layer's inputs: True/False, or why it could not
    tell. On JAX it ignores the mask (cuDNN gets it as a bias); on PyTorch
    the mask is passed, as keras passes it, additive."""
    import keras

    backend = keras.backend.backend()
    try:
        q = keras.ops.zeros((batch, seq, heads, head_dim), dtype=dtype)
        if backend == "jax":
            from keras.src.backend.jax.nn import _can_use_flash_attention

            return bool(_can_use_flash_attention(q, q, q, None))
        if backend == "torch":
            from keras.src.backend.torch.nn import _can_use_flash_attention

            q = q.transpose(1, 2)  # (B, heads, L, head_dim), as keras does
            mask = keras.ops.zeros((batch, 1, seq, seq), dtype=dtype)
            return bool(_can_use_flash_attention(q, q, q, mask, False))
        return False  # TensorFlow: no flash path
    except Exception as e:  # noqa: BLE001 - a probe, never fail the run
        return f"check failed: {type(e).__name__}: {e}"[:200]


def error_text(error: BaseException) -> str:
    """The error and the ones it was raised from or while handling, most
    recent first, each as `Type: message` without keras' decorations."""
    parts = []
    while error is not None and len(parts) < 3:
        message = re.sub(r"\x1b\[[0-9;]*m", "", str(error))
        message = message.replace(
            "Exception encountered when calling ", ""
        ).split("Arguments received by")[0]
        parts.append(f"{type(error).__name__}: {' '.join(message.split())}")
        error = error.__cause__ or error.__context__
    return " <- ".join(parts)


def write_result(path: pathlib.Path, result: dict) -> None:
    """Writes `result` as JSON, atomically."""
    from keras_rec_tx.utils import atomic_write_text

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(result, indent=2) + "\n")


def model_overrides(preset: dict) -> dict[str, Any]:
    """Architecture overrides of `zoo.get` from the dropout and loss flags
    (a loss other than the preset's starts from an empty `loss_config`)."""
    arch = preset["architecture"]
    overrides: dict[str, Any] = {}
    if FLAGS.dropout is not None:
        overrides["dropout"] = FLAGS.dropout
    loss = FLAGS.loss or arch.get("loss", "sampled_softmax")
    loss_config = dict(arch.get("loss_config") or {})
    if FLAGS.loss and FLAGS.loss != arch.get("loss"):
        loss_config = {}  # the preset's keys belong to its own loss
    if FLAGS.num_negatives is not None:
        loss_config["num_negatives"] = FLAGS.num_negatives
    if FLAGS.share_negatives is not None:
        loss_config["share_negatives"] = FLAGS.share_negatives
    if loss != arch.get("loss") or loss_config != arch.get("loss_config"):
        overrides["loss"] = loss
        overrides["loss_config"] = loss_config
    return overrides


def main(argv: list[str]) -> None:
    del argv
    if FLAGS.sweep:
        sys.exit(run_sweep())
    import keras

    from benchmarks import provenance

    cfg = {
        name: getattr(FLAGS, name)
        for name in (
            "d_model",
            "num_blocks",
            "num_heads",
            "max_len",
            "batch_size",
            "num_items",
            "steps",
            "warmup",
            "matmul_size",
        )
    }
    if FLAGS.smoke:
        # Smoke sizes, but a batch size given on the command line (a lever
        # of the sweep) keeps its ratio to the default.
        batch_scale = FLAGS.batch_size / FLAGS["batch_size"].default
        cfg.update(SMOKE)
        cfg["batch_size"] = max(1, round(SMOKE["batch_size"] * batch_scale))
    backend = keras.backend.backend()
    keras.config.set_dtype_policy(FLAGS.dtype_policy)
    keras.utils.set_random_seed(0)
    flash = {"auto": None, "true": True, "false": False}[FLAGS.flash_attention]
    if flash is not None:
        set_flash_attention(flash)
    device = device_name()
    print(f"[{backend}] {FLAGS.name} on {device}", flush=True)
    output = pathlib.Path(FLAGS.output_dir) / result_filename(
        backend, device, FLAGS.name
    )
    command = (
        f"KERAS_BACKEND={backend} python -m benchmarks.gpu_throughput "
        + provenance.command_line(sys.argv[1:])
    )
    result: dict[str, Any] = {
        "benchmark": "gpu_throughput",
        "name": FLAGS.name,
        "status": "started",
        "backend": backend,
        "device": device,
        "preset": FLAGS.preset,
        "smoke": FLAGS.smoke,
        # The flags of the levers as given (None: the preset's value);
        # "settings" (written at the end) says what they resolved to.
        "requested": {
            "dtype_policy": FLAGS.dtype_policy,
            "batch_size": cfg["batch_size"],
            "dropout": FLAGS.dropout,
            "flash_attention": FLAGS.flash_attention,
            "loss": FLAGS.loss,
            "num_negatives": FLAGS.num_negatives,
            "share_negatives": FLAGS.share_negatives,
            "xla_flags": os.environ.get("XLA_FLAGS", ""),
        },
    }
    write_result(output, provenance.stamp(result, command=command))
    try:
        result.update(measure(cfg, flash))
    except Exception as e:
        result.update(status="failed", error=error_text(e))
        write_result(output, provenance.stamp(result, command=command))
        traceback.print_exc()
        print(f"[{backend}] {FLAGS.name}: failed -> {output}", flush=True)
        sys.exit(1)
    result["status"] = "ok"
    result["machine"] = {**provenance.machine(), "device": device}
    result["load_average"] = list(os.getloadavg())
    write_result(output, provenance.stamp(result, command=command))
    print(
        f"[{backend}] {FLAGS.name} on {device}: "
        f"{result['tokens_per_s']:.0f} tokens/s, "
        f"{result['step_ms_median']:.1f} ms/step, "
        f"{result['model_tflops_per_s']:.3f} TFLOP/s, MFU "
        f"{100 * result['mfu']:.1f}% -> {output}",
        flush=True,
    )


def measure(cfg: dict, flash: bool | None) -> dict[str, Any]:
    """Builds, compiles and times the model; the result's numbers."""
    import keras

    from benchmarks import speed
    from keras_rec_tx import zoo
    from keras_rec_tx.layers import glu_hidden_dim

    preset = zoo.describe(FLAGS.preset)
    ffn = preset["architecture"].get("ffn", "gelu")
    d_ff = FLAGS.d_ff or (
        glu_hidden_dim(cfg["d_model"], 4 * cfg["d_model"])
        if ffn in ("swiglu", "geglu")
        else 4 * cfg["d_model"]
    )
    arch = {
        "num_items": cfg["num_items"],
        "max_len": cfg["max_len"],
        "d_model": cfg["d_model"],
        "num_blocks": cfg["num_blocks"],
        "num_heads": cfg["num_heads"],
        "d_ff": d_ff,
    }
    jit = {"auto": "auto", "true": True, "false": False}[FLAGS.jit_compile]
    model = zoo.get(
        FLAGS.preset, compile=False, **arch, **model_overrides(preset)
    )
    model.compile(
        optimizer=zoo.make_optimizer(preset["training"], 1000),
        jit_compile=jit,
    )
    policy = keras.config.dtype_policy()
    dropout = float(model.backbone.dropout)
    head_dim = cfg["d_model"] // cfg["num_heads"]
    settings = {
        "dtype_policy": FLAGS.dtype_policy,
        "compute_dtype": policy.compute_dtype,
        "variable_dtype": policy.variable_dtype,
        "loss": model.loss_name,
        "loss_config": model.loss_config,
        "loss_dtype": model.loss_layer.compute_dtype,
        "dropout": dropout,
        "batch_size": cfg["batch_size"],
        "flash_attention_requested": flash,
        # What the attention layer runs while training.
        "attention_path": (
            "materialised (attention dropout)"
            if dropout > 0
            else "keras.ops.dot_product_attention"
        ),
        "flash_attention_check": flash_attention_check(
            2, cfg["max_len"], cfg["num_heads"], head_dim, policy.compute_dtype
        ),
        "xla_flags": os.environ.get("XLA_FLAGS", ""),
    }
    batches = speed.full_length_batches(
        4, cfg["batch_size"], cfg["max_len"], cfg["num_items"]
    )
    start = time.perf_counter()
    for i in range(cfg["warmup"]):
        model.train_on_batch(*batches[i % len(batches)])
    warmup_seconds = time.perf_counter() - start
    times = []
    for i in range(cfg["steps"]):
        x, y = batches[i % len(batches)]
        start = time.perf_counter()
        logs = model.train_on_batch(x, y, return_dict=True)
        times.append(time.perf_counter() - start)
    tokens = cfg["batch_size"] * cfg["max_len"]
    flops = speed.flops_per_token(model, cfg["max_len"])
    peak = speed.matmul_peak(cfg["matmul_size"], 5, dtype=policy.compute_dtype)
    step = statistics.median(times)
    return {
        "config": {**arch, "batch_size": cfg["batch_size"]},
        "settings": settings,
        "dtype_policy": FLAGS.dtype_policy,
        "jit_compile_arg": jit,
        "jit_compile": bool(model.jit_compile),
        "num_params": int(model.count_params()),
        "warmup_steps": cfg["warmup"],
        "warmup_seconds": warmup_seconds,
        "steps": cfg["steps"],
        "step_ms_median": 1e3 * step,
        "step_ms_mean": 1e3 * sum(times) / len(times),
        "tokens_per_step": tokens,
        "tokens_per_s": tokens / step,
        "flops_per_token": flops,
        "model_tflops_per_s": tokens * flops["total"] / step / 1e12,
        "matmul_peak": peak,
        "mfu": tokens * flops["total"] / step / (peak["gflops"] * 1e9),
        "peak_memory_bytes": peak_memory_bytes(),
        "final_loss": float(logs["loss"]),
    }


def sweep_command(name: str) -> list[str]:
    """The command line of one configuration of the sweep."""
    config = SWEEP[name]
    argv = [sys.executable, "-m", "benchmarks.gpu_throughput", f"--name={name}"]
    # The sweep's own flags and the sizes given to it pass through.
    for flag in (
        "preset",
        "d_model",
        "num_blocks",
        "num_heads",
        "d_ff",
        "max_len",
        "batch_size",
        "num_items",
        "steps",
        "warmup",
        "jit_compile",
        "matmul_size",
        "smoke",
        "output_dir",
    ):
        if flag not in config.flags and FLAGS[flag].present:
            argv.append(f"--{flag}={FLAGS[flag].value}")
    argv += [f"--{k}={v}" for k, v in config.flags.items()]
    return argv


def run_sweep() -> int:
    """Runs the configurations of `--sweep_configs`, each in its own
    process; returns 0 when all that ran succeeded."""
    unknown = [n for n in FLAGS.sweep_configs if n not in SWEEP]
    if unknown:
        raise ValueError(
            f"Unknown sweep configuration(s); known: {sorted(SWEEP)}. "
            f"Received: sweep_configs={FLAGS.sweep_configs}"
        )
    start = time.perf_counter()
    summary, failed = [], []
    for name in FLAGS.sweep_configs:
        left = FLAGS.sweep_budget_s - (time.perf_counter() - start)
        if left < min(30, FLAGS.config_timeout_s):
            summary.append(f"{name}: skipped ({left:.0f} s of budget left)")
            continue
        env = dict(os.environ)
        if SWEEP[name].xla_flags:
            env["XLA_FLAGS"] = merge_xla_flags(
                env.get("XLA_FLAGS", ""), SWEEP[name].xla_flags
            )
        argv = sweep_command(name)
        print(f"[sweep] {name}: {' '.join(argv[1:])}", flush=True)
        began = time.perf_counter()
        try:
            rc = subprocess.run(
                argv,
                cwd=ROOT,
                env=env,
                timeout=min(FLAGS.config_timeout_s, left),
            ).returncode
            status = "ok" if rc == 0 else f"failed (exit {rc})"
        except subprocess.TimeoutExpired:
            status = "timeout"
            mark_timeout(FLAGS.output_dir, name, time.perf_counter() - began)
        if status != "ok":
            failed.append(name)
        seconds = time.perf_counter() - began
        summary.append(f"{name}: {status}, {seconds:.0f} s")
    print("[sweep] " + "; ".join(summary), flush=True)
    return 1 if failed else 0


def mark_timeout(folder: str | os.PathLike, name: str, seconds: float) -> None:
    """Marks the file that killed configuration `name` left in `folder`
    (status "started") as timed out."""
    for path in pathlib.Path(folder).glob("*.json"):
        try:
            result = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if (
            result.get("benchmark") == "gpu_throughput"
            and result.get("name") == name
            and result.get("status") == "started"
        ):
            result["status"] = "timeout"
            result["error"] = f"killed after {seconds:.0f} s"
            write_result(path, result)


if __name__ == "__main__":
    define_flags()
    app.run(main)
