"""The environment that limits a benchmark subprocess to N threads.

Every math library a backend uses keeps its own thread pool: OpenMP
(numpy, PyTorch), MKL, TensorFlow's intra- and inter-op pools, and XLA's
Eigen pool on a CPU (JAX, TensorFlow with XLA). On a core shared with
nothing else, one thread per library is what "one core" means; a pool
sized to the machine instead oversubscribes the core it is pinned to
(XLA's Eigen pool, left multi-threaded, cost JAX's batched matmul of the
sampled-softmax logits half its speed on one pinned core, in a scratch
timing). `benchmarks.run --jobs` and `benchmarks.speed_rounds` start
their subprocesses with it.
"""

from __future__ import annotations

import os


def thread_env(threads: int) -> dict[str, str]:
    """This process's environment, with numpy / torch / TF / XLA limited
    to `threads` threads (XLA's Eigen pool turned off for one)."""
    env = dict(os.environ)
    env["OMP_NUM_THREADS"] = str(threads)
    env["MKL_NUM_THREADS"] = str(threads)
    env["TF_NUM_INTRAOP_THREADS"] = str(threads)
    env["TF_NUM_INTEROP_THREADS"] = "1"
    if threads == 1:
        env["XLA_FLAGS"] = (
            env.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=false"
        ).strip()
    return env
