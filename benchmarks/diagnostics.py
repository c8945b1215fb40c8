"""Shared by the diagnostic scripts (`valid_test_gap.py`,
`anchor_noise.py`, `cold_inputs.py`): their data flags and how they write
one JSON file each under benchmarks/results/diagnostics/, with the date
and the command beside the numbers."""

from __future__ import annotations

import datetime
import json
import pathlib
import shlex
import sys
from typing import Any

from absl import flags

DIAGNOSTICS = (
    pathlib.Path(__file__).resolve().parent / "results" / "diagnostics"
)


def define_data_flags(dataset: str | None) -> None:
    """`--data_dir` and, unless `dataset` is None, `--dataset`."""
    if dataset is not None:
        flags.DEFINE_string("dataset", dataset, "Dataset name.")
    flags.DEFINE_string(
        "data_dir",
        str(pathlib.Path(__file__).resolve().parents[2] / "shared" / "data"),
        "Folder with the datasets.",
    )


def write(name: str, result: dict[str, Any]) -> pathlib.Path:
    """Writes `result` plus date and command to DIAGNOSTICS/`name`.json."""
    result = dict(result)
    result["date"] = datetime.datetime.now(datetime.timezone.utc).isoformat(
        timespec="seconds"
    )
    result["command"] = " ".join(shlex.quote(a) for a in sys.argv)
    DIAGNOSTICS.mkdir(parents=True, exist_ok=True)
    path = DIAGNOSTICS / f"{name}.json"
    path.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(path, json.dumps(result, indent=1))
    return path
