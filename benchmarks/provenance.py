"""Where and how a benchmark result was made: date, command, machine.

Every result file under benchmarks/results/ carries these beside its
numbers, so that a number read later can be traced to the machine and
command that produced it (and timings taken on a shared or different
machine are not compared as if alike). The library itself records none
of this: it lives here, in one place, for every benchmark script.

Example:

```python
from benchmarks import provenance

result = provenance.stamp({"ndcg@10": 0.05})
print(result["date"], result["command"], result["machine"]["cpu_count"])
```
"""

from __future__ import annotations

import datetime
import os
import platform
import resource
import shlex
import sys
import time
from typing import Any


def utc_now() -> str:
    """The current time in UTC, ISO 8601 to the second."""
    return datetime.datetime.now(datetime.timezone.utc).isoformat(
        timespec="seconds"
    )


def command_line(argv: list[str] | None = None) -> str:
    """`argv` (default `sys.argv`) as one shell-quoted line."""
    return " ".join(
        shlex.quote(a) for a in (sys.argv if argv is None else argv)
    )


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def matmul_probe_gflops(n: int = 512, repeats: int = 5) -> float:
    """Best rate of a float32 `n x n` numpy matmul in this process, GFLOP/s.

    A fingerprint of the host's speed, recorded with every result: the
    machines these benchmarks run on change between sessions, and with
    them the speed of every preset (compare the matmul peaks in the git
    history of benchmarks/results/speed/), so training times from
    different hosts must not be compared as if alike.
    """
    import numpy as np

    a = np.random.default_rng(0).random((n, n), dtype=np.float32)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        a @ a
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9


def cpu_model() -> dict[str, str]:
    """The CPU's model name and widest x86 vector extension it reports
    (`cpu_model`, `cpu_vector_isa`), from /proc/cpuinfo; {} elsewhere.
    The hosts this project's sessions draw differ up to threefold in matmul
    speed (an AVX2 EPYC at about 35 GFLOP/s, others at about 100), and
    which backend leads moves with the CPU (BENCHMARKS.md's speed rounds);
    the platform string alone does not say which CPU it was."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return {}
    fields = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    info = {}
    if fields.get("model name"):
        info["cpu_model"] = fields["model name"]
    flags = set(fields.get("flags", "").split())
    for isa in ("avx512f", "avx2", "avx", "sse4_2"):
        if isa in flags:
            info["cpu_vector_isa"] = isa
            break
    return info


def machine() -> dict[str, Any]:
    """A short description of this machine and the library versions:
    platform, CPU model and vector ISA, CPUs (those this process may use
    too), thread settings, the backend's version, its accelerator, if any,
    and a quick matmul probe (`matmul_probe_gflops`)."""
    import keras
    import numpy as np

    info = {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        **cpu_model(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "keras": keras.__version__,
        "numpy": np.__version__,
    }
    backend = keras.backend.backend()
    module = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}
    try:
        lib = __import__(module[backend])
        info[backend] = lib.__version__
    except (ImportError, KeyError):
        pass
    if hasattr(os, "sched_getaffinity"):  # CPUs this process may use
        info["cpus_available"] = len(os.sched_getaffinity(0))
    threads = {
        k: os.environ[k]
        for k in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "XLA_FLAGS")
        if k in os.environ
    }
    if threads:
        info["threads"] = threads
    accelerator = accelerator_name()
    if accelerator:
        info["accelerator"] = accelerator
    info["matmul_probe_gflops"] = round(matmul_probe_gflops(), 1)
    return info


def accelerator_name() -> str | None:
    """Name of the GPU/TPU the backend computes on; None on a CPU."""
    import keras

    backend = keras.backend.backend()
    try:
        if backend == "jax":
            import jax

            device = jax.devices()[0]
            return None if device.platform == "cpu" else device.device_kind
        if backend == "torch":
            import torch

            if torch.cuda.is_available():
                return torch.cuda.get_device_name(0)
        if backend == "tensorflow":
            import tensorflow as tf

            gpus = tf.config.list_physical_devices("GPU")
            if gpus:
                details = tf.config.experimental.get_device_details(gpus[0])
                return details.get("device_name", gpus[0].name)
    except Exception:  # a broken driver must not lose a finished run
        return None
    return None


def stamp(
    result: dict[str, Any],
    *,
    command: str | None = None,
    with_machine: bool = True,
) -> dict[str, Any]:
    """A copy of `result` with `"date"`, `"command"` (default: this
    process's command line) and, with `with_machine`, `"machine"` added
    (an existing `"machine"` entry is kept)."""
    out = dict(result)
    out["date"] = utc_now()
    out["command"] = command_line() if command is None else command
    if with_machine and "machine" not in out:
        out["machine"] = machine()
    return out
