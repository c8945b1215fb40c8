"""Data pipeline benchmark: build time, peak memory and padding.

1. Builds `Interactions` from a synthetic ML-20M-sized log (a pandas
   DataFrame of 20M rows: user_id, item_id, timestamp) and splits it with
   `leave_one_out()`, once with the rows as generated (grouped by user, in
   time order) and once with the rows shuffled. Each build runs in a fresh
   process; it reports wall time and peak RSS (the process peak, and the
   peak during the build alone, the DataFrame included).
   Targets: <= 15 s and <= 3 GB.
2. Padding-token fraction per epoch of the training (and test) batches on
   Beauty (and the other benchmark files found in --data_dir), with and
   without length bucketing.

Writes benchmarks/results/data_pipeline.json.

    python -m benchmarks.data_pipeline --data_dir ../shared/data
"""

import argparse
import json
import multiprocessing
import os
import pathlib
import resource
import sys
import time
import warnings

os.environ.setdefault("KERAS_BACKEND", "numpy")

from benchmarks import provenance

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _status_kb(field: str) -> int | None:
    try:
        for line in pathlib.Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak_rss() -> bool:
    """Resets VmHWM (Linux >= 4.0) so later peaks exclude earlier work."""
    try:
        pathlib.Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _build(args, shuffle: bool, queue) -> None:
    """Child process: generate the log, then time the build and split."""
    import numpy as np

    import keras_rec_tx as krt

    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    synthetic = krt.datasets.synthetic(
        num_users=args.num_users,
        num_items=args.num_items,
        mean_length=args.mean_length,
        seed=0,
    )
    generate_s = time.perf_counter() - t0
    df = synthetic.to_dataframe()
    del synthetic
    if shuffle:
        order = np.random.default_rng(0).permutation(len(df))
        df = df.iloc[order].reset_index(drop=True)
    rss_before = _status_kb("VmRSS")
    reset = _reset_peak_rss()
    t0 = time.perf_counter()
    data = krt.data.Interactions.from_dataframe(
        df, user="user_id", item="item_id", time="timestamp"
    )
    train, valid, test = data.leave_one_out()
    build_s = time.perf_counter() - t0
    build_peak = _status_kb("VmHWM") if reset else None
    t0 = time.perf_counter()
    batches = train.batches(batch_size=128, max_len=200)
    tokens = 0
    for i in range(len(batches)):
        tokens += batches[i][0]["item_ids"].size
    epoch_s = time.perf_counter() - t0
    queue.put(
        {
            "rows": len(df),
            "input_order": "shuffled" if shuffle else "grouped by user, time",
            "users": data.num_users,
            "items": data.num_items,
            "generate_seconds": round(generate_s, 2),
            "build_and_split_seconds": round(build_s, 2),
            "rss_before_build_gb": round((rss_before or 0) / 1e6, 3),
            "peak_rss_during_build_gb": (
                round(build_peak / 1e6, 3) if build_peak else None
            ),
            "peak_rss_process_gb": round(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 3
            ),
            "train_epoch_batching_seconds": round(epoch_s, 2),
            "train_epoch_batches": len(batches),
            "train_epoch_tokens": int(tokens),
            "test_users": len(test),
        }
    )


def build_in_child(args, shuffle: bool) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_build, args=(args, shuffle, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def padding(args) -> dict:
    import keras_rec_tx as krt

    data_dir = pathlib.Path(args.data_dir)
    if not data_dir.is_absolute():
        data_dir = ROOT / data_dir
    results = {"data_dir": str(data_dir)}
    for name in ("s3rec-amazon-beauty", "sasrec-amazon-games", "ml-100k"):
        try:
            data = krt.datasets.load(name, data_dir=data_dir, download=False)
        except FileNotFoundError as error:
            results[name] = f"missing: {error}".splitlines()[0]
            continue
        train, _, test = data.leave_one_out()
        entry = {}
        for split_name, split in (("train", train), ("test", test)):
            for bucketing in (False, True):
                batches = split.batches(
                    batch_size=args.batch_size,
                    max_len=args.max_len,
                    bucketing=bucketing,
                )
                fractions = []
                for _ in range(3):
                    fractions.append(batches.padding_fraction())
                    batches.on_epoch_end()
                key = f"{split_name}_{'bucketed' if bucketing else 'padded'}"
                entry[key] = {
                    "padding_fraction": round(float(fractions[0]), 4),
                    "padding_fraction_3_epochs": [
                        round(float(f), 4) for f in fractions
                    ],
                    "real_tokens": batches.num_real_tokens,
                    "batches": len(batches),
                }
        results[name] = entry
    results["batch_size"] = args.batch_size
    results["max_len"] = args.max_len
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--num_users", type=int, default=138_493)
    parser.add_argument("--num_items", type=int, default=26_744)
    parser.add_argument("--mean_length", type=float, default=144.41)
    parser.add_argument("--data_dir", default="../shared/data")
    parser.add_argument("--batch_size", type=int, default=128)
    parser.add_argument("--max_len", type=int, default=50)
    parser.add_argument(
        "--output",
        default=str(ROOT / "benchmarks" / "results" / "data_pipeline.json"),
    )
    args = parser.parse_args()

    import keras
    import numpy as np
    import pandas as pd

    import keras_rec_tx as krt
    from keras_rec_tx.utils import atomic_write_text

    report = {
        "benchmark": "data_pipeline",
        "date": provenance.utc_now(),
        "command": " ".join([pathlib.Path(sys.executable).name] + sys.argv),
        "machine": {
            **provenance.machine(),
            "load_average_at_start": (
                list(os.getloadavg()) if hasattr(os, "getloadavg") else None
            ),
        },
        "versions": {
            "keras_rec_tx": krt.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "keras": keras.__version__,
        },
        "targets": {"build_and_split_seconds": 15, "peak_rss_gb": 3},
    }
    report["build"] = [
        build_in_child(args, shuffle=False),
        build_in_child(args, shuffle=True),
    ]
    report["padding"] = padding(args)
    output = pathlib.Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(output, json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
