"""The three backends side by side: `benchmarks/speed.py` in interleaved rounds.

    python -m benchmarks.speed_rounds --rounds=3 --core=0

One `speed.py` run per backend and round (TensorFlow, JAX, PyTorch, then
again), each a fresh process pinned to `--core` with one thread, writing
benchmarks/results/speed_rounds/r<round>__<backend>.json. Why rounds and
not one file per backend: on a shared or virtualised CPU the same step's
speed drifts by 10-20% within minutes (the matmul peak each run measures
moves with it), so a ratio between two backends timed an hour apart says
little. Interleaving puts the backends of one round minutes apart, and
the report gives each round's ratios to TensorFlow and their spread
(issue 22: JAX and PyTorch within 20% of TensorFlow on `rope_swiglu`).

Each file is `speed.py`'s own result (`--presets`, full-length batches and
the Beauty-like bucketed ones of its `--detail_presets`) with `round` and
`rounds_command` added. Run it with the other cores idle: a benchmark on a
sibling core shares the memory bus and moves the ratios as much as the
backends do. Rounds on another kind of CPU go to a sub-folder named for it
(`--output_dir=benchmarks/results/speed_rounds/<cpu>`): the report gives
each CPU its own section.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import tempfile

from absl import app, flags

from benchmarks import provenance, threads
from keras_rec_tx.utils import atomic_write_text

ROOT = pathlib.Path(__file__).resolve().parents[1]
BACKENDS = ("tensorflow", "jax", "torch")

FLAGS = flags.FLAGS


def define_flags() -> None:
    flags.DEFINE_integer("rounds", 3, "Rounds (each runs every backend once).")
    flags.DEFINE_list("presets", ["rope_swiglu"], "Presets to time.")
    flags.DEFINE_integer(
        "core", 0, "CPU core every run is pinned to (-1: not pinned)."
    )
    flags.DEFINE_bool(
        "torch_compile",
        False,
        "Also time PyTorch with torch.compile (Keras' jit_compile=True), "
        "which Keras leaves off by default; the report shows it as its own "
        "line.",
    )
    flags.DEFINE_string(
        "output_dir",
        str(ROOT / "benchmarks/results/speed_rounds"),
        "Folder of the result files.",
    )


def speed_command(
    presets: list[str], output: str, torch_compile: bool = False
) -> list[str]:
    """The `speed.py` command of one run (one thread on torch too)."""
    return [
        sys.executable,
        "-m",
        "benchmarks.speed",
        f"--presets={','.join(presets)}",
        f"--detail_presets={','.join(presets)}",
        "--torch_threads=1",
        *(["--torch_compile"] if torch_compile else []),
        f"--output={output}",
    ]


def run_round(round_index: int, backend: str, output_dir: pathlib.Path) -> None:
    """One `speed.py` run; its result, with `round` added, written to
    `output_dir/r<round>__<backend>.json`."""
    env = {**threads.thread_env(1), "KERAS_BACKEND": backend}
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), env.get("PYTHONPATH")) if p
    )
    with tempfile.TemporaryDirectory() as tmp:
        scratch = os.path.join(tmp, "speed.json")
        subprocess.run(
            speed_command(FLAGS.presets, scratch, FLAGS.torch_compile),
            env=env,
            cwd=ROOT,
            check=True,
        )
        with open(scratch, encoding="utf-8") as f:
            result = json.load(f)
    result["round"] = round_index
    result["rounds_command"] = (
        "python -m benchmarks.speed_rounds "
        + provenance.command_line(sys.argv[1:])
    ).strip()
    atomic_write_text(
        output_dir / f"r{round_index}__{backend}.json",
        json.dumps(result, indent=2) + "\n",
    )


def main(argv: list[str]) -> None:
    del argv
    if FLAGS.core >= 0:
        os.sched_setaffinity(0, {FLAGS.core})  # the runs inherit it
    output_dir = pathlib.Path(FLAGS.output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    for round_index in range(1, FLAGS.rounds + 1):
        for backend in BACKENDS:
            print(f"round {round_index}: {backend}", flush=True)
            run_round(round_index, backend, output_dir)


if __name__ == "__main__":
    define_flags()
    app.run(main)
