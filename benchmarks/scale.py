"""Scale benchmarks (issue 19): a huge catalogue, a long log, a long epoch.

Each part runs in its own process, so the peak resident memory (RSS) it
reports is that of the part alone, and writes
benchmarks/results/scale/<part>[__<backend>].json:

    KERAS_BACKEND=jax python -m benchmarks.scale --part=recommend
    python -m benchmarks.scale --part=long_log
    KERAS_BACKEND=tensorflow python -m benchmarks.scale --part=training

1. `recommend`: a `rope_swiglu` model with a 10M-item catalogue (d 64,
   1 block; untrained weights: the speed and the memory of scoring do not
   depend on them) recommends the top 100 of the whole catalogue, seen
   items excluded, for `--users` random histories of `--history_length`
   items through `model.recommend`. Reports the seconds to build the
   model, users/s of `recommend`, and the peak RSS of the process against
   the target: 2 x the item table + 1 GB.
2. `long_log`: a synthetic log of 100M interactions (1M users, 100k
   items; numpy columns int32 user and item ids, int64 unix seconds; rows
   shuffled, as a worst case for the sort) goes through
   `Interactions.from_dataframe`, `leave_one_out` and `batches`, and a few
   batches are read. Reports seconds per stage and the peak RSS (the
   DataFrame included) against the targets: build + split <= 60 s, peak
   <= 8 GB.
3. `training`: real tokens/s of `rope_swiglu` training steps on an
   ML-20M-sized synthetic log (138,493 users, 26,744 items, about 20M
   interactions, leave-one-out training split, `max_len` 200, batch 128,
   length-bucketed as in training), timed with `speed.time_training`
   (one step per batch length and `--warmup` steps untimed, then
   `--steps` timed batches of the shuffled epoch). An epoch's time is
   extrapolated: the epoch's real tokens / the measured real tokens/s.

The machine is shared: load averages at the start and end are recorded.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pathlib
import sys
import time
import warnings
from collections.abc import Iterator
from typing import Any

from benchmarks import provenance

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "scale"
PARTS = ("recommend", "long_log", "training")


# ------------------------------------------------------------- memory
def status_gb(field: str) -> float | None:
    """A memory field of /proc/self/status (`VmRSS`, `VmHWM`) in GB."""
    try:
        text = pathlib.Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024 / 1e9
    return None


def reset_peak() -> bool:
    """Resets VmHWM to the current RSS (Linux >= 4.0), so that the next
    reading is the peak of what comes after."""
    try:
        pathlib.Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


class Stages:
    """Wall and CPU seconds, RSS after and peak RSS during each stage:

    with stages.stage("build"):
        ...

    CPU seconds count only this process's work: on a machine shared with
    other jobs they estimate what the wall time would be on an idle core
    (for single-threaded work such as numpy's).
    """

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, float | None]] = {}
        self._peak = status_gb("VmHWM") or 0.0

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        # Resetting VmHWM also resets getrusage's ru_maxrss: the process
        # peak is kept here instead, as the largest peak of any stage.
        self._peak = self.process_peak_gb()
        reset = reset_peak()
        start, cpu = time.perf_counter(), time.process_time()
        yield
        peak = status_gb("VmHWM")
        self._peak = max(self._peak, peak or 0.0)
        self.rows[name] = {
            "seconds": round(time.perf_counter() - start, 2),
            "cpu_seconds": round(time.process_time() - cpu, 2),
            "rss_after_gb": _round(status_gb("VmRSS")),
            "peak_rss_gb": _round(peak) if reset else None,
        }
        print(f"[scale] {name}: {self.rows[name]}", flush=True)

    def process_peak_gb(self) -> float:
        """Peak RSS of the process so far, in GB."""
        return max(self._peak, status_gb("VmHWM") or 0.0)


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


# -------------------------------------------------------------- parts
def recommend_part(args: argparse.Namespace) -> dict[str, Any]:
    import numpy as np

    from keras_rec_tx import zoo

    stages = Stages()
    with stages.stage("build"):
        model = zoo.get(
            args.preset,
            num_items=args.num_items,
            d_model=args.d_model,
            num_blocks=args.num_blocks,
            compile=False,
        )
    table_gb = (args.num_items + 1) * args.d_model * 4 / 1e9
    rng = np.random.default_rng(0)
    histories = rng.integers(
        1, args.num_items + 1, (args.users, args.history_length)
    )
    with stages.stage("recommend"):
        ids, scores = model.recommend(
            histories, k=args.k, batch_size=args.batch_size
        )
    peak = stages.process_peak_gb()
    target = 2 * table_gb + 1
    seconds = stages.rows["recommend"]["seconds"]
    return {
        "settings": {
            "preset": args.preset,
            "num_items": args.num_items,
            "d_model": args.d_model,
            "num_blocks": args.num_blocks,
            "max_len": int(model.max_len),
            "users": args.users,
            "history_length": args.history_length,
            "k": args.k,
            "batch_size": args.batch_size,
            "score_chunk_size": int(model.score_chunk_size),
            "trained": False,
        },
        "item_table_gb": round(table_gb, 3),
        "stages": stages.rows,
        "users_per_s": round(args.users / max(seconds, 1e-9), 3),
        "users_per_cpu_s": round(
            args.users / max(stages.rows["recommend"]["cpu_seconds"], 1e-9), 3
        ),
        "peak_rss_gb": round(peak, 3),
        "targets": {"peak_rss_gb": round(target, 3)},
        "meets_target": bool(peak <= target),
        "check": {
            "shape": list(ids.shape),
            "scores_best_first": bool((np.diff(scores, axis=1) <= 0).all()),
            "no_seen_item_returned": not bool(
                (ids[:, :, None] == histories[:, None, :]).any()
            ),
        },
    }


def synthetic_log(
    num_users: int, num_items: int, mean_length: float, seed: int = 0
) -> dict[str, Any]:
    """Columns of a shuffled log: int32 `user_id` and `item_id` (skewed
    popularity), int64 `timestamp` increasing within each user; about
    `num_users * mean_length` rows, at least 3 per user."""
    import numpy as np

    rng = np.random.default_rng(seed)
    lengths = 3 + rng.geometric(1 / (mean_length - 2), num_users)
    users = np.repeat(np.arange(num_users, dtype=np.int32), lengths)
    n = len(users)
    # Skewed popularity: index 1 + floor(num_items * u^3), u uniform.
    u = rng.random(n, dtype=np.float32)
    u **= 3
    u *= num_items
    items = np.minimum(u.astype(np.int32), num_items - 1) + 1
    del u
    gaps = rng.integers(1, 86_400, n, dtype=np.int64)
    first = np.zeros(n, dtype=bool)
    first[np.cumsum(lengths)[:-1]] = True
    first[0] = True
    gaps[first] = rng.integers(0, 10**7, num_users, dtype=np.int64)
    times = np.cumsum(gaps)  # increasing within each user
    times -= np.repeat(times[first] - gaps[first], lengths)
    times += 1_500_000_000
    order = rng.permutation(n)
    return {
        "user_id": users[order],
        "item_id": items[order],
        "timestamp": times[order],
    }


def long_log_part(args: argparse.Namespace) -> dict[str, Any]:
    import pandas as pd

    import keras_rec_tx as krt

    stages = Stages()
    with stages.stage("generate"):
        columns = synthetic_log(
            args.log_users, args.log_items, args.log_mean_length
        )
    frame = pd.DataFrame(columns, copy=False)
    del columns
    with stages.stage("build"):
        data = krt.data.Interactions.from_dataframe(
            frame, user="user_id", item="item_id", time="timestamp"
        )
    rows = len(frame)
    del frame
    with stages.stage("split"):
        train, valid, test = data.leave_one_out()
    with stages.stage("batches"):
        batches = train.batches(
            batch_size=args.batch_size, max_len=args.max_len
        )
    tokens = 0
    with stages.stage("read_batches"):
        for i in range(min(args.read_batches, len(batches))):
            tokens += int((batches[i][0]["item_ids"] > 0).sum())
    seconds = stages.rows["build"]["seconds"] + stages.rows["split"]["seconds"]
    cpu = (
        stages.rows["build"]["cpu_seconds"]
        + stages.rows["split"]["cpu_seconds"]
    )
    peak = stages.process_peak_gb()
    return {
        "settings": {
            "users": args.log_users,
            "items": args.log_items,
            "mean_length": args.log_mean_length,
            "input_order": "shuffled",
            "dtypes": "user_id int32, item_id int32, timestamp int64",
            "batch_size": args.batch_size,
            "max_len": args.max_len,
            "read_batches": args.read_batches,
        },
        "interactions": rows,
        "users": data.num_users,
        "items": data.num_items,
        "train_batches": len(batches),
        "tokens_read": tokens,
        "stages": stages.rows,
        "build_and_split_seconds": round(seconds, 2),
        "build_and_split_cpu_seconds": round(cpu, 2),
        "peak_rss_gb": round(peak, 3),
        "targets": {"build_and_split_seconds": 60, "peak_rss_gb": 8},
        "meets_target": bool(seconds <= 60 and peak <= 8),
    }


def training_part(args: argparse.Namespace) -> dict[str, Any]:
    import numpy as np

    import keras_rec_tx as krt
    from benchmarks import speed

    stages = Stages()
    with stages.stage("generate"):
        data = krt.datasets.synthetic(
            num_users=args.train_users,
            num_items=args.train_items,
            mean_length=args.train_mean_length,
            seed=0,
        )
    train, _, _ = data.leave_one_out()
    batches = train.batches(
        batch_size=args.batch_size, max_len=args.train_max_len, seed=0
    )
    epoch = [batches[i] for i in range(len(batches))]
    epoch_tokens = int(sum(np.count_nonzero(b[1]) for b in epoch))
    with stages.stage("train_steps"):
        row = speed.time_training(
            args.preset,
            epoch,
            max_len=args.train_max_len,
            num_items=data.num_items,
            steps=args.steps,
            warmup=args.warmup,
            jit_compile="auto",
        )
    return {
        "settings": {
            "preset": args.preset,
            "users": data.num_users,
            "items": data.num_items,
            "interactions": data.num_interactions,
            "max_len": args.train_max_len,
            "batch_size": args.batch_size,
            "bucketing": True,
            "data": "synthetic, ML-20M-sized (krt.datasets.synthetic)",
        },
        "training": row,
        "real_tokens_per_s": round(row["real_tokens_per_s"], 1),
        "real_tokens_per_cpu_s": round(row["real_tokens_per_cpu_s"], 1),
        "epoch_batches": len(epoch),
        "epoch_real_tokens": epoch_tokens,
        "epoch_seconds_estimated": round(
            epoch_tokens / row["real_tokens_per_s"], 1
        ),
        "epoch_cpu_seconds_estimated": round(
            epoch_tokens / row["real_tokens_per_cpu_s"], 1
        ),
        "epoch_estimate": (
            "epoch real tokens / real tokens/s of the timed steps (a "
            "sample of the shuffled epoch's batches); not a full epoch"
        ),
        "stages": stages.rows,
        "peak_rss_gb": round(stages.process_peak_gb(), 3),
    }


# --------------------------------------------------------------- main
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=PARTS, required=True)
    parser.add_argument("--preset", default="rope_swiglu")
    parser.add_argument("--batch_size", type=int, default=None)
    # recommend
    parser.add_argument("--num_items", type=int, default=10_000_000)
    parser.add_argument("--d_model", type=int, default=64)
    parser.add_argument("--num_blocks", type=int, default=1)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--history_length", type=int, default=50)
    parser.add_argument("--k", type=int, default=100)
    # long_log
    parser.add_argument("--log_users", type=int, default=1_000_000)
    parser.add_argument("--log_items", type=int, default=100_000)
    parser.add_argument("--log_mean_length", type=float, default=100.0)
    parser.add_argument("--max_len", type=int, default=200)
    parser.add_argument("--read_batches", type=int, default=20)
    # training
    parser.add_argument("--train_users", type=int, default=138_493)
    parser.add_argument("--train_items", type=int, default=26_744)
    parser.add_argument("--train_mean_length", type=float, default=144.41)
    parser.add_argument("--train_max_len", type=int, default=200)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--output", default=None, help="Result file path.")
    args = parser.parse_args(argv)
    if args.batch_size is None:
        args.batch_size = 512 if args.part == "recommend" else 128
    return args


def output_path(args: argparse.Namespace, backend: str) -> pathlib.Path:
    if args.output:
        return pathlib.Path(args.output)
    name = args.part if args.part == "long_log" else f"{args.part}__{backend}"
    return RESULTS / f"{name}.json"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    if args.part == "long_log":  # numpy only: no backend is used
        os.environ.setdefault("KERAS_BACKEND", "numpy")
    import keras

    from keras_rec_tx.utils import atomic_write_text

    warnings.simplefilter("ignore")
    backend = keras.backend.backend()
    argv_text = provenance.command_line(sys.argv[1:] if argv is None else argv)
    report: dict[str, Any] = {
        "benchmark": "scale",
        "part": args.part,
        "backend": backend,
        "date": provenance.utc_now(),
        "command": (
            f"KERAS_BACKEND={backend} python -m benchmarks.scale {argv_text}"
        ),
        "machine": provenance.machine(),
        "load_average_start": list(os.getloadavg()),
        "rss_at_start_gb": _round(status_gb("VmRSS")),
    }
    part = {
        "recommend": recommend_part,
        "long_log": long_log_part,
        "training": training_part,
    }[args.part]
    start = time.perf_counter()
    report.update(part(args))
    report["total_seconds"] = round(time.perf_counter() - start, 1)
    report["load_average_end"] = list(os.getloadavg())
    path = output_path(args, backend)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(report, indent=2) + "\n")
    print(f"[scale] wrote {path}", flush=True)
    return report


if __name__ == "__main__":
    main()
