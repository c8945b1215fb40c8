"""Write-back of the presets' results into zoo/results/<preset>.json.

The hand-written preset files are only read (`keras_rec_tx.preset_schema`);
each preset with untagged runs on its benchmark's dataset and protocol gets
a generated results file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

from benchmarks.report.load import load_presets
from benchmarks.report.stats import Summary, pick_backend
from benchmarks.report.tables import machine_text
from keras_rec_tx import preset_schema
from keras_rec_tx.utils import atomic_write_text


def preset_results(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The "results" entry of a preset file from its runs (one backend)."""
    s = Summary(list(runs))
    first = s.runs[0]

    def stat(metric: str) -> dict[str, float | None]:
        mean, std = s.metric(metric)
        return {
            "mean": None if mean is None else round(mean, 5),
            "std": None if std is None else round(std, 5),
        }

    results: dict[str, Any] = {
        "dataset": first.get("dataset"),
        "protocol": first.get("protocol"),
        "seeds": s.seeds,
        "backend": first.get("backend"),
        "hr@10": stat("recall@10"),
        "ndcg@10": stat("ndcg@10"),
    }
    if first.get("protocol") == "full-loo":
        results["hr@50"] = stat("recall@50")
        results["mrr"] = stat("mrr")
    results["epochs"] = [r.get("epochs_run") for r in s.runs]
    results["train_seconds"] = round(s.field("train_seconds") or 0.0, 1)
    results["machine"] = machine_text(first.get("machine"))
    dates = sorted(r.get("date", "?") for r in s.runs)
    results["date"] = (
        dates[0] if dates[0] == dates[-1] else (f"{dates[0]} to {dates[-1]}")
    )
    results["source"] = [r["_file"] for r in s.runs]
    commands = sorted({r.get("command", "?") for r in s.runs})
    results["command"] = commands[0] if len(commands) == 1 else commands
    results["generated_by"] = "python -m benchmarks.report"
    return results


def update_zoo(
    zoo_dir: str | os.PathLike, index: dict[tuple, list]
) -> list[str]:
    """Writes the generated `zoo_dir/results/<preset>.json` files; returns
    the names whose results changed.

    A preset gets results from its runs with an empty tag on its
    benchmark's dataset and protocol, on the backend `pick_backend`
    chooses: most runs on today's batches (token-weighted or padded to
    `max_len`), then most runs. A preset without such runs (none yet, or
    only runs of an earlier definition, which the report tags apart) and
    a preset that no longer exists lose their results file: old numbers
    must not pass for the preset as it is now. The hand-written preset
    files are never written.
    """
    changed = []
    presets = load_presets(zoo_dir)
    folder = preset_schema.results_dir(zoo_dir)
    for path in sorted(folder.glob("*.json")):
        if path.stem not in presets:
            path.unlink()
            changed.append(path.stem)
    for name, preset in presets.items():
        bench = preset.benchmark
        key = (name, bench.get("dataset"), bench.get("protocol"), "")
        backend = pick_backend(index, [key])
        path = folder / f"{name}.json"
        if backend is None:
            if path.is_file():
                path.unlink()
                changed.append(name)
            continue
        results = preset_results(index[(*key, backend)])
        if preset.results == results:
            continue
        path.parent.mkdir(exist_ok=True)
        atomic_write_text(
            path, json.dumps(results, indent=2, ensure_ascii=False) + "\n"
        )
        changed.append(name)
    return changed
