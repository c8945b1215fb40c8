"""Resumable benchmark runs: preset x dataset x protocol x seed x backend.

Each finished run writes one JSON file under `results_dir`; a run whose file
exists is skipped, so an interrupted suite resumes where it stopped.
`benchmarks/report.py` turns the files into BENCHMARKS.md and the results
section of each preset file.

Example:

```python
import keras_rec_tx

data = keras_rec_tx.datasets.synthetic(num_users=200, num_items=50, seed=0)
path = keras_rec_tx.benchmark.run_one(
    "rope_swiglu", data, dataset="synthetic", seed=0,
    results_dir="/tmp/krt_results", epochs=1, overrides={"d_model": 16},
)
print(path)
```
"""

from __future__ import annotations

import datetime
import json
import os
import pathlib
import shlex
import sys
import time
from typing import Any

import keras

from keras_rec_tx import experiment


def result_path(
    results_dir: str | os.PathLike,
    preset: str,
    dataset: str,
    protocol: str,
    seed: int,
    tag: str = "",
) -> pathlib.Path:
    """Where the result of one run lives."""
    backend = keras.backend.backend()
    name = f"{preset}__{dataset}__{protocol}__{backend}__seed{seed}"
    if tag:
        name += f"__{tag}"
    return pathlib.Path(results_dir) / f"{name}.json"


def run_one(
    preset: str,
    data: Any,
    *,
    dataset: str,
    seed: int,
    results_dir: str | os.PathLike,
    protocol: str | None = None,
    tag: str = "",
    overrides: dict[str, Any] | None = None,
    training_overrides: dict[str, Any] | None = None,
    epochs: int | None = None,
    patience: int | None = None,
    time_limit_s: float | None = None,
    verbose: int = 0,
) -> pathlib.Path:
    """Runs one benchmark unless its result file exists; returns the path."""
    protocol = (
        protocol or experiment.zoo.describe(preset)["benchmark"]["protocol"]
    )
    path = result_path(results_dir, preset, dataset, protocol, seed, tag)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    start = time.time()
    result, _ = experiment.run(
        preset,
        data,
        protocol=protocol,
        seed=seed,
        epochs=epochs,
        patience=patience,
        overrides=overrides,
        training_overrides=training_overrides,
        time_limit_s=time_limit_s,
        verbose=verbose,
    )
    result.update(
        {
            "dataset": dataset,
            "tag": tag,
            "overrides": overrides or {},
            "training_overrides": training_overrides or {},
            "wall_seconds": time.time() - start,
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
                timespec="seconds"
            ),
            "command": " ".join(shlex.quote(a) for a in sys.argv),
        }
    )
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1, default=_json_default)
    os.replace(tmp, path)
    return path


def _json_default(value: Any) -> Any:
    try:
        return value.item()
    except AttributeError:
        return str(value)


def parse_overrides(items: list[str] | None) -> dict[str, Any]:
    """`["d_model=32", "position=\"rope\""]` -> dict (values as JSON, else
    plain strings)."""
    out: dict[str, Any] = {}
    for item in items or []:
        if "=" not in item:
            raise ValueError(f"Overrides are key=value. Received: {item!r}")
        key, value = item.split("=", 1)
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def run_from_flags(flags: Any) -> None:
    """The `keras-rec-tx benchmark` command (flags of keras_rec_tx.cli)."""
    from keras_rec_tx import datasets

    if flags.dataset == "synthetic":
        data = datasets.synthetic(
            num_users=flags.synthetic_users,
            num_items=flags.synthetic_items,
            seed=0,
        )
    else:
        data = datasets.load(flags.dataset, data_dir=flags.data_dir)
    for seed in [int(s) for s in flags.seeds]:
        path = run_one(
            flags.preset,
            data,
            dataset=flags.dataset,
            seed=seed,
            protocol=flags.protocol,
            results_dir=flags.results_dir,
            epochs=flags.epochs,
            verbose=2,
        )
        with open(path, encoding="utf-8") as f:
            print(path, json.load(f)["test"])
