"""Resumable benchmark runs: preset x dataset x protocol x seed x backend.

Each finished run writes one JSON file under `results_dir` (atomically,
strict JSON: no NaN or inf); a run whose file exists is skipped, so an
interrupted suite resumes where it stopped. The file stores what the
result depends on (overrides, epochs, patience, time limit, a fingerprint
of the data): an existing file made with another configuration is never
returned as if it were this run's; `run_one` raises a ValueError naming
the differences instead. A run whose training diverged is stored with
`"diverged": true` (its non-finite numbers as null), which the report
leaves out.
The file holds `keras_rec_tx.experiment.run`'s result plus the run's
provenance (date, command, machine, peak memory: `benchmarks.provenance`).
`benchmarks/report/` turns the files into BENCHMARKS.md and the results
section of each preset file.

Example:

```python
import keras_rec_tx
from benchmarks import runner

data = keras_rec_tx.datasets.synthetic(num_users=200, num_items=50, seed=0)
path = runner.run_one(
    "rope_swiglu", data, dataset="synthetic", seed=0,
    results_dir="/tmp/krt_results", epochs=1, overrides={"d_model": 16},
)
print(path)
```
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import shutil
import time
from typing import Any

import keras
import numpy as np

from benchmarks import provenance
from benchmarks.redefinition import preset_differences, replay
from keras_rec_tx import experiment, preset_schema, zoo
from keras_rec_tx.utils import atomic_write_text, check_int


def data_fingerprint(data: Any) -> str:
    """sha256 (first 16 hex digits) of an `Interactions`' arrays: users'
    offsets, item indices and timestamps."""
    digest = hashlib.sha256()
    for array in (data.offsets, data.item_indices, data.timestamps):
        if array is not None:
            digest.update(np.ascontiguousarray(array).tobytes())
        digest.update(b"|")
    return digest.hexdigest()[:16]


def run_config(
    preset: str | None = None,
    *,
    overrides: dict[str, Any] | None = None,
    training_overrides: dict[str, Any] | None = None,
    epochs: int | None = None,
    patience: int | None = None,
    time_limit_s: float | None = None,
    data: Any = None,
) -> dict[str, Any]:
    """What a run's result depends on beyond its file name (preset,
    dataset, protocol, backend, seed, tag): compared with an existing
    result file before it is reused. `None` entries are not compared.
    With `preset`, overrides are compared on top of the preset's current
    architecture and recipe, so an override that became the preset's
    default is no difference."""
    defaults = {"overrides": {}, "training_overrides": {}}
    if preset is not None:
        described = zoo.describe(preset)
        defaults = {
            "overrides": dict(described.get("architecture", {})),
            "training_overrides": dict(described.get("training", {})),
        }
        # No epochs or patience: the recipe's, which a preset may change.
        recipe = {
            **defaults["training_overrides"],
            **(training_overrides or {}),
        }
        if epochs is None:
            epochs = recipe.get("epochs")
        if patience is None:
            patience = recipe.get("early_stopping_patience")
    return {
        "defaults": defaults,
        "preset": preset,
        "overrides": overrides or {},
        "training_overrides": training_overrides or {},
        "epochs": epochs,
        "patience": patience,
        "time_limit_s": time_limit_s,
        "data_fingerprint": None if data is None else data_fingerprint(data),
    }


def config_differences(result: dict[str, Any], config: dict[str, Any]) -> list:
    """`"key: stored X, now Y"` for each entry of `config` (from
    `run_config`) that the stored `result` contradicts. Files written
    before fingerprints existed are compared on what they store. A run
    made with another epoch cap or patience that is, replayed, the run
    asked for (`benchmarks.redefinition.replay`) is no difference."""
    training = result.get("training", {})
    stored = {
        "overrides": result.get("overrides", {}),
        "training_overrides": result.get("training_overrides", {}),
        "epochs": training.get("epochs"),
        "patience": training.get("early_stopping_patience"),
        "time_limit_s": result.get("time_limit_s"),
        "data_fingerprint": result.get("data_fingerprint"),
    }
    differences = []
    defaults = config.get("defaults", {})
    skip = {"defaults", "preset"}
    epochs, patience = config.get("epochs"), config.get("patience")
    if epochs is not None and patience is not None:
        if replay(result, epochs, patience) is not None:
            skip |= {"epochs", "patience"}  # the same run, maybe longer
    for key, now in config.items():
        if key in skip:
            continue
        before = stored[key]
        if key in defaults:
            before = {**defaults[key], **(before or {})}
            now = {**defaults[key], **(now or {})}
        if key in ("epochs", "patience", "data_fingerprint") and (
            now is None or before is None
        ):
            continue
        if _canonical(before) == _canonical(now):
            continue
        if isinstance(before, dict) and isinstance(now, dict):
            for name in sorted(set(before) | set(now)):
                old, new = before.get(name), now.get(name)
                if _canonical(old) != _canonical(new):
                    differences.append(
                        f"{key}[{name!r}]: stored {old!r}, now {new!r}"
                    )
        else:
            differences.append(f"{key}: stored {before!r}, now {now!r}")
    return differences


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def check_existing(path: str | os.PathLike, config: dict[str, Any]) -> None:
    """Raises a ValueError if the result file `path` was made with another
    configuration than `config`, or with an earlier definition of its
    preset (`benchmarks.redefinition`): a stale result must not pass for
    new."""
    path = pathlib.Path(path)
    try:
        result = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(
            f"The result file {path} is unreadable ({error}). Delete it to "
            "run again."
        ) from error
    differences = config_differences(result, config)
    if config.get("preset") is not None:
        preset = preset_schema.resolve(config["preset"])
        differences += preset_differences(result, preset)
    if differences:
        raise ValueError(
            f"The result file {path} exists but was made with another "
            "configuration (" + "; ".join(differences) + "). Move it away "
            "(python -m benchmarks.run --supersede), or give this run another "
            "`tag`, to run it again."
        )


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
    checkpoint_dir: str | os.PathLike | None = None,
    verbose: int = 0,
) -> pathlib.Path:
    """Runs one benchmark unless its result file exists; returns the path.

    An existing file is reused only if it was made with the same
    configuration (see `check_existing`); else a ValueError. The results
    folder is created and checked to be writable before training.

    With `checkpoint_dir`, the run is resumable: its training state is
    backed up after every epoch in `checkpoint_dir/<result file name>/`
    (`keras_rec_tx.experiment.run`), and the same call after the process
    was killed (a session's end, a crash) goes on from the last finished
    epoch. The result then records `"resumable": true` and `"segments"`,
    one entry per process that trained it (its start date, the epochs
    already done and its machine: a run may span hosts of unlike speed),
    and the folder is removed. A resumable run's batches come in the
    order `SequenceBatches` draws from the seed and epoch alone, so its
    numbers differ from those of the same seed run without a checkpoint
    (Keras also shuffles those batches) as one draw of the noise from
    another; the configuration is the same.
    """
    protocol = protocol or zoo.describe(preset)["benchmark"]["protocol"]
    seed = check_int("seed", seed, minimum=0)
    for name, value in (("dataset", dataset), ("tag", tag)):
        if not isinstance(value, str) or "/" in value or "\\" in value:
            raise ValueError(
                f"`{name}` must be a string without path separators. "
                f"Received: {name}={value!r}"
            )
    config = run_config(
        preset,
        overrides=overrides,
        training_overrides=training_overrides,
        epochs=epochs,
        patience=patience,
        time_limit_s=time_limit_s,
        data=data,
    )
    path = result_path(results_dir, preset, dataset, protocol, seed, tag)
    if path.exists():
        check_existing(path, config)
        return path
    experiment.writable_dir("results_dir", results_dir)
    segments, run_dir = None, None
    if checkpoint_dir is not None:
        run_dir = experiment.writable_dir(
            "checkpoint_dir", pathlib.Path(checkpoint_dir) / path.stem
        )
        segments = _start_segment(run_dir, config)
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
        checkpoint_dir=run_dir,
        verbose=verbose,
    )
    wall_seconds = time.time() - start
    result.update(
        {
            "peak_rss_mb": provenance.peak_rss_mb(),
            "dataset": dataset,
            "tag": tag,
            "overrides": overrides or {},
            "training_overrides": training_overrides or {},
            "wall_seconds": wall_seconds,
            "data_fingerprint": config["data_fingerprint"],
        }
    )
    if segments is not None:
        result.update(resumable=True, segments=segments)
    result = provenance.stamp(result)
    write_result(path, result)
    if run_dir is not None:
        shutil.rmtree(run_dir, ignore_errors=True)
    return path


def checkpoint_progress(
    checkpoint_dir: str | os.PathLike, path: str | os.PathLike
) -> str | None:
    """What the checkpoint folder of result file `path` holds, for
    `--dry_run`: `"resumes after epoch E (K processes so far)"`, or None
    when no killed run of it is there."""
    run_dir = pathlib.Path(checkpoint_dir) / pathlib.Path(path).stem
    file = run_dir / "segments.json"
    if not file.is_file():
        return None
    segments = json.loads(file.read_text())["segments"]
    done = _epochs_backed_up(run_dir)
    return f"resumes after epoch {done} ({len(segments)} processes so far)"


def _epochs_backed_up(run_dir: pathlib.Path) -> int:
    """The epochs `keras.callbacks.BackupAndRestore` recorded as done."""
    backup = run_dir / "backup" / "training_metadata.json"
    return json.loads(backup.read_text())["epoch"] if backup.is_file() else 0


def _start_segment(
    run_dir: pathlib.Path, config: dict[str, Any]
) -> list[dict[str, Any]]:
    """Adds this process to the `segments.json` of a resumable run's
    folder and returns the list: the date, the epochs killed processes
    had backed up (`keras.callbacks.BackupAndRestore` resumes there, or
    one epoch earlier if that backup was cut short) and the machine. A
    folder left by a run of another configuration is refused: its weights
    would be resumed as this run's."""
    file = run_dir / "segments.json"
    stored = json.loads(file.read_text()) if file.is_file() else {}
    if stored and _canonical(stored["config"]) != _canonical(config):
        raise ValueError(
            f"The checkpoint folder {run_dir} holds a killed run of another "
            "configuration than this one. Delete it to start this run anew."
        )
    segments = stored.get("segments", [])
    segments.append(
        {
            "date": provenance.utc_now(),
            "epochs_done": _epochs_backed_up(run_dir),
            "machine": provenance.machine(),
        }
    )
    text = json.dumps({"config": config, "segments": segments}, indent=1)
    atomic_write_text(file, text + "\n")
    return segments


def write_result(path: str | os.PathLike, result: dict[str, Any]) -> None:
    """Writes `result` as strict JSON (NaN and inf refused), atomically."""
    text = json.dumps(result, indent=1, default=_json_default, allow_nan=False)
    atomic_write_text(path, text + "\n")


def _json_default(value: Any) -> Any:
    try:
        return value.item()
    except AttributeError:
        return str(value)
