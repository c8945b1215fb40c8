"""Training throughput of the flagship preset at a GPU-sized configuration.

One command on a machine with an accelerator (any backend):

    KERAS_BACKEND=jax python -m benchmarks.gpu_throughput
    KERAS_BACKEND=torch python -m benchmarks.gpu_throughput --batch_size=256
    KERAS_BACKEND=jax python -m benchmarks.gpu_throughput --smoke   # CPU test

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
in the compute dtype measured in the same run, plus peak device memory
where the backend reports it.

Writes benchmarks/results/gpu/<backend>_<device>.json with the machine,
device name, date and command. `--smoke` shrinks everything so the script
runs on a CPU in seconds (used by the tests).
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import statistics
import sys
import time

from absl import app, flags

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent

FLAGS = flags.FLAGS

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
        "Keras dtype policy, e.g. float32 or mixed_bfloat16.",
    )
    flags.DEFINE_integer("matmul_size", 4096, "n of the n x n matmul peak.")
    flags.DEFINE_bool("smoke", False, "Tiny sizes, to test on a CPU.")
    flags.DEFINE_string(
        "output_dir", str(HERE / "results" / "gpu"), "Where to write."
    )


def device_name() -> str:
    """Name of the accelerator the backend uses ("cpu" without one)."""
    from benchmarks import provenance

    return provenance.accelerator_name() or "cpu"


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


def main(argv: list[str]) -> None:
    del argv
    import keras

    from benchmarks import provenance, speed
    from keras_rec_tx import zoo
    from keras_rec_tx.layers import glu_hidden_dim

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
        cfg.update(SMOKE)
    backend = keras.backend.backend()
    keras.config.set_dtype_policy(FLAGS.dtype_policy)
    keras.utils.set_random_seed(0)
    device = device_name()
    print(f"[{backend}] device: {device}", flush=True)

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
    model = zoo.get(FLAGS.preset, compile=False, **arch)
    model.compile(
        optimizer=zoo.make_optimizer(preset["training"], 1000),
        jit_compile=jit,
    )
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
    compute_dtype = keras.config.dtype_policy().compute_dtype
    peak = speed.matmul_peak(cfg["matmul_size"], 5, dtype=compute_dtype)
    step = statistics.median(times)
    result = {
        "benchmark": "gpu_throughput",
        "backend": backend,
        "device": device,
        "preset": FLAGS.preset,
        "smoke": FLAGS.smoke,
        "config": {**arch, "batch_size": cfg["batch_size"]},
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
        "machine": {**provenance.machine(), "device": device},
        "load_average": list(os.getloadavg()),
    }
    result = provenance.stamp(
        result,
        command=f"KERAS_BACKEND={backend} python -m benchmarks.gpu_throughput "
        + provenance.command_line(sys.argv[1:]),
    )
    safe = re.sub(r"[^A-Za-z0-9.-]+", "_", device).strip("_") or "unknown"
    output = pathlib.Path(FLAGS.output_dir) / f"{backend}_{safe}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(
        f"[{backend}] {device}: {result['tokens_per_s']:.0f} tokens/s, "
        f"{result['step_ms_median']:.1f} ms/step, "
        f"{result['model_tflops_per_s']:.3f} TFLOP/s, MFU "
        f"{100 * result['mfu']:.1f}% -> {output}",
        flush=True,
    )


if __name__ == "__main__":
    define_flags()
    app.run(main)
