"""Train a preset on a dataset and evaluate it under a protocol.

The one routine behind the quickstart, `keras-rec-tx train` and the
benchmark scripts, so every published number is produced the same way:
early stopping on validation NDCG@10, best weights restored, then the test
split evaluated under `protocol` ("full-loo" or "sampled-100").

Example:

```python
import keras_rec_tx

data = keras_rec_tx.datasets.synthetic(num_users=200, num_items=50, seed=0)
result, model = keras_rec_tx.experiment.run(
    "rope_swiglu", data, epochs=2, overrides={"d_model": 16}
)
print(result["test"]["ndcg@10"])
```
"""

from __future__ import annotations

import json
import math
import os
import pathlib
import time
import warnings
from typing import Any

import keras
import numpy as np

from keras_rec_tx import zoo
from keras_rec_tx.utils import (
    atomic_path,
    atomic_write_text,
    check_choice,
    check_float,
    check_int,
)

PROTOCOLS = {"full-loo": "full", "sampled-100": "sampled"}


class EpochLog(keras.callbacks.Callback):
    """Records wall time, training loss and validation metrics per epoch.

    Each row holds the cumulative wall seconds since training began
    (`wall_s`) and of training alone (`train_s`, validation excluded),
    and the same in CPU seconds of this process (`cpu_s`, `train_cpu_s`):
    on a machine shared with other work, CPU seconds are what each part
    cost, wall seconds also count the waits."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []
        self._start = 0.0
        self._cpu_start = 0.0
        self._train_time = 0.0
        self._train_cpu = 0.0

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._start = time.perf_counter()
        self._cpu_start = time.process_time()

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch_start = time.perf_counter()
        self._epoch_cpu = time.process_time()

    def on_test_begin(self, logs: dict | None = None) -> None:
        self._test_start = time.perf_counter()
        self._test_cpu = time.process_time()

    def on_test_end(self, logs: dict | None = None) -> None:
        self._test_time = time.perf_counter() - self._test_start
        self._test_cpu_time = time.process_time() - self._test_cpu

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = dict(logs or {})
        now, cpu = time.perf_counter(), time.process_time()
        validated = "val_loss" in logs
        test_time = getattr(self, "_test_time", 0.0) if validated else 0.0
        test_cpu = getattr(self, "_test_cpu_time", 0.0) if validated else 0.0
        self._train_time += now - self._epoch_start - test_time
        self._train_cpu += cpu - self._epoch_cpu - test_cpu
        self._test_time = self._test_cpu_time = 0.0
        row = {"epoch": epoch + 1, "wall_s": now - self._start}
        row["train_s"] = self._train_time
        row["cpu_s"] = cpu - self._cpu_start
        row["train_cpu_s"] = self._train_cpu
        row.update({k: float(v) for k, v in logs.items()})
        self.rows.append(row)


class TimeLimit(keras.callbacks.Callback):
    """Stops training at the end of the first epoch past `seconds` of
    wall time (training and validation); the best weights are still
    restored by early stopping."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds
        self.reached = False

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if time.perf_counter() - self._start > self.seconds:
            self.reached = True
            self.model.stop_training = True


class StopOnNonFinite(keras.callbacks.TerminateOnNaN):
    """`keras.callbacks.TerminateOnNaN` that also says where: stops
    training at the first batch whose loss is NaN or inf, warns with the
    epoch, batch and value, and keeps them in `message` (None when the
    loss stayed finite)."""

    def __init__(self) -> None:
        super().__init__()
        self.message: str | None = None
        self._epoch = 0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch = epoch

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            self.message = (
                f"Training diverged: the loss became {float(loss)} at epoch "
                f"{self._epoch + 1}, batch {batch + 1}; training stopped. "
                "Lower the learning rate, or check the data and overrides."
            )
            warnings.warn(self.message, RuntimeWarning, stacklevel=2)
            self.model.stop_training = True


class SyncEpoch(keras.callbacks.Callback):
    """Tells each `SequenceBatches` (anything with `set_epoch`) which
    epoch is starting, so a run resumed at epoch `e` by
    `keras.callbacks.BackupAndRestore` sees the batches of epoch `e` of
    the uninterrupted run (their order depends only on seed and epoch)."""

    def __init__(self, *datasets: Any) -> None:
        super().__init__()
        self.datasets = [d for d in datasets if hasattr(d, "set_epoch")]

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        for dataset in self.datasets:
            dataset.set_epoch(epoch)


class RunState(keras.callbacks.Callback):
    """Saves what `BackupAndRestore` does not: the `EarlyStopping` state
    (wait, best value, best epoch and best weights) and the `EpochLog`
    rows, after every epoch, and restores them when a run resumes.

    It must come last in the callback list (after `BackupAndRestore`,
    `EpochLog` and `EarlyStopping`). The state of epoch `e` goes to
    `state-{e}.json` (best weights to `best-{epoch}.npz`) before
    `BackupAndRestore` records epoch `e` as done; states older than the
    previous epoch are deleted, so the one matching the backup always
    exists, whenever the process is killed.
    """

    def __init__(
        self,
        folder: str | os.PathLike,
        stopper: keras.callbacks.EarlyStopping,
        log: EpochLog,
    ) -> None:
        super().__init__()
        self.folder = pathlib.Path(folder)
        self.stopper = stopper
        self.log = log

    def on_train_begin(self, logs: dict | None = None) -> None:
        done = getattr(self.model, "_initial_epoch", None) or 0
        path = self.folder / f"state-{done}.json"
        if not done or not path.is_file():
            return
        state = json.loads(path.read_text(encoding="utf-8"))
        stopper = self.stopper
        stopper.wait = state["wait"]
        stopper.best = state["best"]
        stopper.best_epoch = state["best_epoch"]
        stopper.stopped_epoch = state["stopped_epoch"]
        if state["best_weights"]:
            with np.load(self.folder / state["best_weights"]) as arrays:
                stopper.best_weights = [
                    arrays[f"arr_{i}"] for i in range(len(arrays.files))
                ]
        self.log.rows = state["rows"]
        self.log._train_time = state["train_time"]
        self.log._train_cpu = state.get("train_cpu", 0.0)
        generators = seed_generators(self.model)
        if len(generators) != len(state["seeds"]):
            raise ValueError(
                f"The state in {self.folder} is of another model "
                f"({len(state['seeds'])} random generators, this one has "
                f"{len(generators)}). Use a new `checkpoint_dir`."
            )
        for generator, value in zip(generators, state["seeds"], strict=True):
            generator.state.assign(np.asarray(value, generator.state.dtype))

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        stopper = self.stopper
        self.folder.mkdir(parents=True, exist_ok=True)
        best_file = None
        if stopper.best_weights is not None:
            best_file = f"best-{stopper.best_epoch + 1}.npz"
            if not (self.folder / best_file).exists():
                with atomic_path(self.folder / best_file) as tmp:
                    np.savez(tmp, *stopper.best_weights)
        state = {
            "wait": stopper.wait,
            "best": None if stopper.best is None else float(stopper.best),
            "best_epoch": stopper.best_epoch,
            "stopped_epoch": stopper.stopped_epoch,
            "best_weights": best_file,
            "rows": self.log.rows,
            "train_time": self.log._train_time,
            "train_cpu": self.log._train_cpu,
            # Not in the backup: dropout, negatives and item replacement
            # must go on drawing where the uninterrupted run would.
            "seeds": [
                keras.ops.convert_to_numpy(g.state.value).tolist()
                for g in seed_generators(self.model)
            ],
        }
        atomic_write_text(
            self.folder / f"state-{epoch + 1}.json", json.dumps(state)
        )
        keep = {f"state-{epoch}.json", f"state-{epoch + 1}.json", best_file}
        for old in self.folder.glob("state-*.json"):
            if old.name not in keep:
                old.unlink()
        if epoch >= 1:
            previous = self.folder / f"state-{epoch}.json"
            if previous.is_file():
                keep.add(json.loads(previous.read_text())["best_weights"])
        for old in self.folder.glob("best-*.npz"):
            if old.name not in keep:
                old.unlink()

    def on_train_end(self, logs: dict | None = None) -> None:
        for old in list(self.folder.glob("state-*.json")) + list(
            self.folder.glob("best-*.npz")
        ):
            old.unlink()


def architecture(model: keras.Model) -> dict[str, Any]:
    """The model's settings as a result file records them: its config
    without the item vocabulary (the data's ids, not a setting)."""
    return {
        key: value
        for key, value in model.get_config().items()
        if key != "item_vocabulary"
    }


def seed_generators(model: keras.Model) -> list:
    """The `keras.random.SeedGenerator`s of every layer of `model`, in a
    fixed order (their states are not part of `save_weights`)."""
    found = []
    for layer in model._flatten_layers(include_self=True, recursive=True):
        found += getattr(layer, "_seed_generators", [])
    return found


def run(
    preset: str,
    data: Any,
    *,
    protocol: str = "full-loo",
    seed: int = 0,
    epochs: int | None = None,
    batch_size: int | None = None,
    max_len: int | None = None,
    patience: int | None = None,
    validate_every: int | None = None,
    overrides: dict[str, Any] | None = None,
    training_overrides: dict[str, Any] | None = None,
    time_limit_s: float | None = None,
    checkpoint_dir: str | os.PathLike | None = None,
    verbose: int = 0,
) -> tuple[dict[str, Any], Any]:
    """Trains `preset` on `data` (an `Interactions`) and evaluates it.

    `time_limit_s` caps the training wall time (checked after each epoch;
    the result says whether the cap stopped training), for benchmarks on
    a lent machine with a fixed budget. `training_overrides` replace keys
    of the preset's training recipe; besides the optimizer's, the key
    `bucketing` (default `True`) pads batches to length buckets rather
    than to `max_len` (fewer shapes to compile when `False`, as on a GPU),
    and `token_weighting` (default: `bucketing`) weighs bucketed batches so
    that every real position counts the same in every batch (see
    `keras_rec_tx.data.SequenceBatches`); the result records both.

    Every numeric argument is checked (an integer >= 1, `patience` >= 0,
    `time_limit_s` > 0); `None` means "the preset's value", 0 never does.

    `checkpoint_dir` makes the run resumable: the training state is backed
    up there after every epoch (`keras.callbacks.BackupAndRestore`, plus
    the early-stopping state, best weights and history), and the same call
    after a crash or `kill -9` resumes from the last finished epoch and
    ends with the metrics of an uninterrupted run. The folder is emptied
    of its state when training ends.

    A loss that becomes NaN or inf stops training at once
    (`keras.callbacks.TerminateOnNaN`) with a `RuntimeWarning`; the result
    then has `"diverged": True` and the message in `"error"`. No number in
    the result is NaN or inf: non-finite values (of a diverged run) are
    stored as `None` and listed under `"non_finite"`.

    Returns `(result, model)`: `result` is a JSON-ready dict with the
    config, per-epoch history, best epoch, test metrics, training time and
    real-token throughput; `model` the trained model with its best weights.
    Where and how the run was made (date, command, machine, peak memory)
    is the benchmark runner's to add (`benchmarks/runner.py`).
    """
    if not isinstance(preset, str):
        raise TypeError(
            f"`preset` must be a preset name. Received: preset={preset!r}"
        )
    if not hasattr(data, "leave_one_out") or not hasattr(data, "num_items"):
        raise TypeError(
            "`data` must be a `keras_rec_tx.data.Interactions`. Received: "
            f"data of type {type(data).__name__}"
        )
    check_choice("protocol", protocol, sorted(PROTOCOLS))
    seed = check_int("seed", seed, minimum=0)
    epochs = check_int("epochs", epochs, minimum=1, allow_none=True)
    batch_size = check_int("batch_size", batch_size, minimum=1, allow_none=True)
    max_len = check_int("max_len", max_len, minimum=1, allow_none=True)
    patience = check_int("patience", patience, minimum=0, allow_none=True)
    validate_every = check_int(
        "validate_every", validate_every, minimum=1, allow_none=True
    )
    time_limit_s = check_float(
        "time_limit_s", time_limit_s, above=0.0, allow_none=True
    )
    verbose = check_int("verbose", verbose, minimum=0, maximum=2)
    for name, value in (
        ("overrides", overrides),
        ("training_overrides", training_overrides),
    ):
        if value is not None and not isinstance(value, dict):
            raise TypeError(
                f"`{name}` must be a dict or None. Received: {name}={value!r}"
            )
    if checkpoint_dir is not None:
        checkpoint_dir = writable_dir("checkpoint_dir", checkpoint_dir)
    keras.utils.set_random_seed(seed)
    recipe = zoo.describe(preset)
    # The full recipe, defaults filled in; unknown keys raise.
    training = zoo.TrainingRecipe.from_dict(
        {**recipe["training"], **(training_overrides or {})}
    ).to_dict()
    arch = dict(overrides or {})
    arch.pop("num_items", None)  # the data's (zoo.get(data=...) below)
    arch.setdefault("seed", seed)
    if max_len is not None:
        arch["max_len"] = max_len
    max_len = arch.get("max_len", recipe["architecture"]["max_len"])
    if epochs is None:
        epochs = training["epochs"]
    if batch_size is None:
        batch_size = training["batch_size"]
    if patience is None:
        patience = training["early_stopping_patience"]
    if validate_every is None:
        validate_every = training["validate_every"]

    bucketing = bool(training["bucketing"])
    token_weighting = training["token_weighting"]

    train, valid, test = data.leave_one_out()
    train_batches = train.batches(
        batch_size=batch_size,
        max_len=max_len,
        shuffle=True,
        seed=seed,
        bucketing=bucketing,
        token_weighting=token_weighting,
    )
    valid_batches, test_batches = evaluation_batches(
        valid,
        test,
        protocol=protocol,
        seed=seed,
        max_len=max_len,
        bucketing=bucketing,
    )
    training.update(
        token_weighting=train_batches.token_weighting,
        epochs=epochs,
        batch_size=batch_size,
        early_stopping_patience=patience,
        validate_every=validate_every,
    )
    # Sized from the data, with its item vocabulary (no effect on training).
    model = zoo.get(preset, data=data, compile=False, **arch)
    model.compile(optimizer=zoo.make_optimizer(training, len(train_batches)))
    log = EpochLog()
    limit = TimeLimit(time_limit_s) if time_limit_s else None
    stopper = keras.callbacks.EarlyStopping(
        monitor="val_ndcg@10",
        mode="max",
        patience=max(1, patience // validate_every) if patience else 0,
        restore_best_weights=True,
    )
    nan_stop = StopOnNonFinite()
    callbacks = [nan_stop]
    if checkpoint_dir is not None:
        # Resumable runs number their batches' epochs themselves (Keras'
        # own count is off by one at the start of fit); other runs keep
        # the order every published number was made with.
        callbacks.insert(0, SyncEpoch(train_batches))
        # Before the EMA swap: the backup holds the raw weights, as the
        # optimizer expects them when training goes on. Keras overwrites
        # the weights file in place, so a process killed while writing it
        # would leave nothing to resume from: `double_checkpoint` keeps the
        # previous epoch's copy to fall back to (RunState keeps that
        # epoch's state too).
        callbacks.append(
            keras.callbacks.BackupAndRestore(
                str(checkpoint_dir / "backup"), double_checkpoint=True
            )
        )
    callbacks += [log, *ema_swap(model), stopper]
    if limit:
        callbacks.append(limit)
    if checkpoint_dir is not None:
        callbacks.append(RunState(checkpoint_dir, stopper, log))
    fit_cpu, fit_wall = time.process_time(), time.perf_counter()
    model.fit(
        train_batches,
        validation_data=valid_batches,
        validation_freq=validate_every,
        epochs=epochs,
        callbacks=callbacks,
        # The batches shuffle themselves, by (seed, epoch). Keras also
        # shuffles their order, from Python's global `random`, which a
        # resumed run cannot replay: resumable runs leave that out. Other
        # runs keep it, so every published number reruns as it was made.
        shuffle=checkpoint_dir is None,
        verbose=verbose,
    )
    fit_cpu = time.process_time() - fit_cpu
    fit_wall = time.perf_counter() - fit_wall
    test_metrics = model.evaluate(test_batches, return_dict=True, verbose=0)
    epochs_run = len(log.rows)
    train_seconds = log.rows[-1]["train_s"] if log.rows else 0.0
    real_tokens = float(train_batches.num_real_tokens) * epochs_run
    validated = [
        r
        for r in log.rows
        if "val_ndcg@10" in r and math.isfinite(r["val_ndcg@10"])
    ]
    best = max(validated, key=lambda r: r["val_ndcg@10"]) if validated else {}
    result = {
        "preset": preset,
        "protocol": protocol,
        "seed": seed,
        "architecture": architecture(model),
        "training": training,
        "num_params": int(model.count_params()),
        "epochs_run": epochs_run,
        "time_limit_s": time_limit_s,
        "stopped_by_time_limit": bool(limit and limit.reached),
        "best_epoch": best.get("epoch"),
        "best_val_ndcg@10": best.get("val_ndcg@10"),
        "history": log.rows,
        "test": {k: float(v) for k, v in test_metrics.items()},
        "train_seconds": train_seconds,
        "real_tokens_per_second": real_tokens / max(train_seconds, 1e-9),
        # CPU seconds this process used per wall second of fit: below the
        # CPUs it may use when other work shared them (timings inflated).
        "fit_cpu_per_wall_second": fit_cpu / max(fit_wall, 1e-9),
        "backend": keras.backend.backend(),
        "diverged": nan_stop.message is not None,
    }
    if nan_stop.message:
        result["error"] = nan_stop.message
    result, non_finite = finite_or_none(result)
    if non_finite:
        result["non_finite"] = non_finite
        if not result["diverged"]:
            result["diverged"] = True
            result["error"] = (
                "Training diverged: non-finite values in "
                + ", ".join(non_finite[:5])
            )
            warnings.warn(result["error"], RuntimeWarning, stacklevel=2)
    return result, model


def finite_or_none(value: Any, where: str = "") -> tuple[Any, list[str]]:
    """`value` (nested dicts/lists) with NaN and inf floats replaced by
    `None`, and the paths of the replaced entries (`"test.ndcg@10"`)."""
    if isinstance(value, dict):
        out, bad = {}, []
        for key, item in value.items():
            out[key], found = finite_or_none(item, f"{where}{key}.")
            bad += found
        return out, bad
    if isinstance(value, (list, tuple)):
        out, bad = [], []
        for i, item in enumerate(value):
            clean, found = finite_or_none(item, f"{where}{i}.")
            out.append(clean)
            bad += found
        return out, bad
    if isinstance(value, (float, np.floating)) and not math.isfinite(value):
        return None, [where.rstrip(".")]
    return value, []


def writable_dir(name: str, path: Any) -> pathlib.Path:
    """Creates folder `path` if needed and checks that files can be written
    in it, before any training; a ValueError/TypeError names `name`."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"`{name}` must be a path. Received: {name}={path!r}")
    folder = pathlib.Path(path).expanduser()
    if folder.exists() and not folder.is_dir():
        raise ValueError(
            f"`{name}` must be a folder, but {str(folder)!r} is a file. "
            f"Received: {name}={str(path)!r}"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise ValueError(
            f"`{name}` must be a folder this process can write to: "
            f"{error}. Received: {name}={str(path)!r}"
        ) from error
    return folder


def evaluation_batches(
    valid: Any,
    test: Any,
    *,
    protocol: str,
    seed: int,
    max_len: int,
    bucketing: bool = True,
) -> tuple[Any, Any]:
    """The validation and test batches `run` scores: `valid` and `test` as
    `data.leave_one_out()` returns them, 256 users a batch, the sampled
    protocol's negatives drawn with `seed` (validation) and `seed + 1`
    (test). The last batch is padded to 256 rows with rows of target 0,
    which count in no metric: every batch of a bucket length has one
    shape, compiled once."""
    return tuple(
        split.batches(
            batch_size=256,
            max_len=max_len,
            protocol=PROTOCOLS[protocol],
            seed=split_seed,
            bucketing=bucketing,
            pad_last_batch=True,
        )
        for split, split_seed in ((valid, seed), (test, seed + 1))
    )


def ema_swap(model: keras.Model) -> list[keras.callbacks.Callback]:
    """With an EMA optimizer, the callback that puts the averaged weights
    in the model at each epoch's end, so that validation, early stopping
    and its restored best weights all use them; else nothing. It must
    come before `EarlyStopping` in the callback list. (`fit` would put one
    first by itself; `run` places its own after `BackupAndRestore`, whose
    backup must hold the raw weights.)"""
    if not getattr(model.optimizer, "use_ema", False):
        return []
    return [keras.callbacks.SwapEMAWeights(swap_on_epoch=True)]
