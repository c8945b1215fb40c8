"""Loading result files: JSON folders, the run index, the presets.

Every result is a JSON file; a run is indexed by (preset, dataset,
protocol, tag, backend). Diverged runs and files holding NaN or inf are
left out here, so no table can show their numbers.
"""

from __future__ import annotations

import collections
import json
import math
import os
import pathlib
import sys
from collections.abc import Iterable
from typing import Any

import numpy as np

from benchmarks.redefinition import preset_differences, replay
from benchmarks.report import stats
from keras_rec_tx import preset_schema

# The repository root: file paths in the report are relative to it.
ROOT = pathlib.Path(__file__).resolve().parents[2]


def rel(path: pathlib.Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def load_json_dir(folder: str | os.PathLike) -> list[dict[str, Any]]:
    """Every *.json in `folder` (sorted), each with its path in `_file`.
    A run whose training diverged, or a file holding NaN or inf, is left
    out (with a note on stderr): no table may show its numbers."""
    out = []
    for path in sorted(pathlib.Path(folder).glob("*.json")):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        if isinstance(data, dict):
            problem = unusable(data)
            if problem:
                print(
                    f"report: left out {rel(path)}: {problem}", file=sys.stderr
                )
                continue
            data["_file"] = rel(path)
            out.append(data)
    return out


def unusable(value: Any, where: str = "") -> str | None:
    """Why a loaded result must not be reported (diverged, or a NaN/inf
    number somewhere), else None."""
    if isinstance(value, dict):
        if value.get("diverged") is True:
            return f"training diverged ({value.get('error', 'no message')})"
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        finite = not isinstance(value, float) or math.isfinite(value)
        return None if finite else f"non-finite value {value} at {where}"
    for key, item in items:
        problem = unusable(item, f"{where}.{key}" if where else str(key))
        if problem:
            return problem
    return None


# The tag under which an untagged run of an earlier definition of its
# preset is listed ("Other tagged runs"), so it never counts as the preset.
EARLIER_DEFINITION = "earlier_definition"


def set_aside_redefined(
    runs: Iterable[dict[str, Any]], presets: dict[str, Any]
) -> list[dict[str, Any]]:
    """`runs`, each made with an earlier definition of its preset (one of
    `presets`, by `benchmarks.redefinition.preset_differences`) marked: its
    differences in `_redefined` (the tables' notes print them) and, if it
    was untagged, the tag `EARLIER_DEFINITION`, so that no table counts it
    as the preset as it is now. A run of a retired preset
    (`preset_schema.RETIRED`) is set aside the same way.

    An untagged run is the preset's own, so it must also have run on the
    preset's budget (epoch cap and patience): a run made with another one
    counts only if, replayed (`benchmarks.redefinition.replay`), it is the
    run the preset's budget makes; it is then cut to where that run stops
    (its epochs, train seconds and history), marked `_replayed`."""
    out = []
    for run in runs:
        name = run.get("preset")
        preset = presets.get(name)
        differences = preset_differences(run, preset) if preset else []
        if preset is None and name in preset_schema.RETIRED:
            differences = [f"{name} retired: use {preset_schema.RETIRED[name]}"]
        if preset is not None and not differences and not run.get("tag"):
            run, budget = _on_budget(run, preset.training)
            differences += budget
        if differences:
            run = {**run, "_redefined": differences}
            run["tag"] = run.get("tag") or EARLIER_DEFINITION
        out.append(run)
    return out


def _on_budget(run: dict[str, Any], recipe: Any) -> tuple[dict, list[str]]:
    """`run` on the budget of `recipe` (the preset's training), cut by
    replay where it ran longer, and its differences if it cannot be."""
    training = run.get("training") or {}
    ran = (training.get("epochs"), training.get("early_stopping_patience"))
    now = (recipe.epochs, recipe.early_stopping_patience)
    if None in ran or ran == now:
        return run, []
    stop = replay(run, *now)
    if stop is None:
        return run, [
            f"epochs and patience: ran {ran[0]} and {ran[1]}, preset now "
            f"{now[0]} and {now[1]}, on which it would have run otherwise"
        ]
    history = run.get("history") or []
    cut = {**run, "epochs_run": stop, "history": history[:stop]}
    cut["training"] = {
        **training,
        "epochs": now[0],
        "early_stopping_patience": now[1],
    }
    if len(history) >= stop and "train_s" in history[stop - 1]:
        cut["train_seconds"] = history[stop - 1]["train_s"]
    cut["_replayed"] = f"epochs {ran[0]}, patience {ran[1]}"
    return cut, []


def run_key(run: dict[str, Any]) -> tuple[str, str, str, str, str]:
    return (
        run["preset"],
        run.get("dataset", ""),
        run.get("protocol", ""),
        run.get("tag", "") or "",
        run.get("backend", ""),
    )


def index_runs(
    runs: Iterable[dict[str, Any]],
) -> dict[tuple, list[dict[str, Any]]]:
    """(preset, dataset, protocol, tag, backend) -> runs sorted by seed."""
    index: dict[tuple, list] = collections.defaultdict(list)
    shares = collections.defaultdict(list)
    for run in runs:
        index[run_key(run)].append(run)
        share = stats.one_cpu_share(run)
        if share is not None:
            shares[run.get("backend")].append(share)
    for value in index.values():
        value.sort(key=lambda r: r.get("seed", 0))
    stats.TYPICAL_CPU_SHARE.clear()
    stats.TYPICAL_CPU_SHARE.update(
        {b: float(np.median(v)) for b, v in shares.items() if len(v) >= 3}
    )
    return dict(index)


def load_presets(zoo_dir: str | os.PathLike) -> dict[str, Any]:
    """The resolved presets of `zoo_dir` (`keras_rec_tx.preset_schema`)."""
    return {
        name: preset_schema.resolve(name, zoo_dir)
        for name in preset_schema.names(zoo_dir)
    }
