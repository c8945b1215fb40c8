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

import platform
import resource
import time
from typing import Any

import keras
import numpy as np

from keras_rec_tx import zoo

PROTOCOLS = {"full-loo": "full", "sampled-100": "sampled"}


class EpochLog(keras.callbacks.Callback):
    """Records wall time, training loss and validation metrics per epoch."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []
        self._start = 0.0
        self._train_time = 0.0

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._start = time.perf_counter()

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch_start = time.perf_counter()

    def on_test_begin(self, logs: dict | None = None) -> None:
        self._test_start = time.perf_counter()

    def on_test_end(self, logs: dict | None = None) -> None:
        self._test_time = time.perf_counter() - self._test_start

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = dict(logs or {})
        now = time.perf_counter()
        test_time = (
            getattr(self, "_test_time", 0.0) if ("val_loss" in logs) else 0.0
        )
        self._train_time += now - self._epoch_start - test_time
        self._test_time = 0.0
        row = {"epoch": epoch + 1, "wall_s": now - self._start}
        row["train_s"] = self._train_time
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

    Returns `(result, model)`: `result` is a JSON-ready dict with the
    config, per-epoch history, best epoch, test metrics, training time,
    real-token throughput and peak memory; `model` the trained model with
    its best weights.
    """
    if protocol not in PROTOCOLS:
        raise ValueError(
            f"`protocol` must be one of {sorted(PROTOCOLS)}. "
            f"Received: protocol={protocol!r}"
        )
    keras.utils.set_random_seed(seed)
    recipe = zoo.describe(preset)
    training = dict(recipe["training"])
    training.update(training_overrides or {})
    arch = dict(overrides or {})
    arch["num_items"] = data.num_items
    arch.setdefault("seed", seed)
    if max_len is not None:
        arch["max_len"] = max_len
    max_len = arch.get("max_len", recipe["architecture"]["max_len"])
    epochs = epochs or training["epochs"]
    batch_size = batch_size or training["batch_size"]
    patience = patience or training.get("early_stopping_patience", 10)
    validate_every = validate_every or training.get("validate_every", 1)

    bucketing = bool(training.get("bucketing", True))
    token_weighting = training.get("token_weighting")

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
    model = zoo.get(preset, compile=False, **arch)
    model.compile(optimizer=zoo.make_optimizer(training, len(train_batches)))
    log = EpochLog()
    limit = TimeLimit(time_limit_s) if time_limit_s else None
    stopper = keras.callbacks.EarlyStopping(
        monitor="val_ndcg@10",
        mode="max",
        patience=max(1, patience // validate_every),
        restore_best_weights=True,
    )
    fit_cpu, fit_wall = time.process_time(), time.perf_counter()
    model.fit(
        train_batches,
        validation_data=valid_batches,
        validation_freq=validate_every,
        epochs=epochs,
        callbacks=[log, *ema_swap(model), stopper] + ([limit] if limit else []),
        verbose=verbose,
    )
    fit_cpu = time.process_time() - fit_cpu
    fit_wall = time.perf_counter() - fit_wall
    test_metrics = model.evaluate(test_batches, return_dict=True, verbose=0)
    epochs_run = len(log.rows)
    train_seconds = log.rows[-1]["train_s"] if log.rows else 0.0
    real_tokens = float(train_batches.num_real_tokens) * epochs_run
    validated = [r for r in log.rows if "val_ndcg@10" in r]
    best = max(validated, key=lambda r: r["val_ndcg@10"]) if validated else {}
    return {
        "preset": preset,
        "protocol": protocol,
        "seed": seed,
        "architecture": model.get_config(),
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
        "peak_rss_mb": peak_rss_mb(),
        # CPU seconds this process used per wall second of fit: below the
        # CPUs it may use when other work shared them (timings inflated).
        "fit_cpu_per_wall_second": fit_cpu / max(fit_wall, 1e-9),
        "backend": keras.backend.backend(),
        "machine": machine(),
    }, model


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
    (test)."""
    return tuple(
        split.batches(
            batch_size=256,
            max_len=max_len,
            protocol=PROTOCOLS[protocol],
            seed=split_seed,
            bucketing=bucketing,
        )
        for split, split_seed in ((valid, seed), (test, seed + 1))
    )


def ema_swap(model: keras.Model) -> list[keras.callbacks.Callback]:
    """With an EMA optimizer, the callback that puts the averaged weights
    in the model at each epoch's end, so that validation, early stopping
    and its restored best weights all use them; else nothing. It must
    come before `EarlyStopping` in the callback list."""
    if not getattr(model.optimizer, "use_ema", False):
        return []
    return [keras.callbacks.SwapEMAWeights(swap_on_epoch=True)]


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def machine() -> dict[str, Any]:
    """A short description of this machine and the library versions."""
    import os

    info = {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "keras": keras.__version__,
        "numpy": np.__version__,
    }
    backend = keras.backend.backend()
    module = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}
    try:
        lib = __import__(module[backend])
        info[backend] = lib.__version__
    except (ImportError, KeyError):
        pass
    if hasattr(os, "sched_getaffinity"):  # CPUs this process may use
        info["cpus_available"] = len(os.sched_getaffinity(0))
    threads = {
        k: os.environ[k]
        for k in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "XLA_FLAGS")
        if k in os.environ
    }
    if threads:
        info["threads"] = threads
    accelerator = accelerator_name()
    if accelerator:
        info["accelerator"] = accelerator
    return info


def accelerator_name() -> str | None:
    """Name of the GPU/TPU the backend computes on; None on a CPU."""
    backend = keras.backend.backend()
    try:
        if backend == "jax":
            import jax

            device = jax.devices()[0]
            return None if device.platform == "cpu" else device.device_kind
        if backend == "torch":
            import torch

            if torch.cuda.is_available():
                return torch.cuda.get_device_name(0)
        if backend == "tensorflow":
            import tensorflow as tf

            gpus = tf.config.list_physical_devices("GPU")
            if gpus:
                details = tf.config.experimental.get_device_details(gpus[0])
                return details.get("device_name", gpus[0].name)
    except Exception:  # a broken driver must not lose a finished run
        return None
    return None
