"""Shared by the diagnostic scripts (`valid_test_gap.py`,
`anchor_noise.py`, `cold_inputs.py`): their data flags and how they write
one JSON file each under benchmarks/results/diagnostics/, with the date
and the command beside the numbers."""

from __future__ import annotations

import json
import pathlib
from typing import Any

from absl import flags

from benchmarks import provenance

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


def write(
    name: str, result: dict[str, Any], *, with_machine: bool = False
) -> pathlib.Path:
    """Writes `result` plus date and command (and, with `with_machine`,
    the machine: for diagnostics that train) to DIAGNOSTICS/`name`.json."""
    from keras_rec_tx.utils import atomic_write_text

    result = provenance.stamp(result, with_machine=with_machine)
    DIAGNOSTICS.mkdir(parents=True, exist_ok=True)
    path = DIAGNOSTICS / f"{name}.json"
    atomic_write_text(path, json.dumps(result, indent=1) + "\n")
    print(path, json.dumps(result, indent=1))
    return path
