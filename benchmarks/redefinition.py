"""Has a preset been redefined since a run was made with it?

A preset is redefined when a search finds a better recipe (issue 18
moves `sasrec_plus`, and with it every preset built on it). A result file
records the model and the recipe it ran (`architecture`, `training`), so
it can be compared with what its preset builds today: `benchmarks.runner`
refuses to reuse such a file, and the report lists it apart instead of
counting it as the preset. It reads the presets and the model's
argument defaults from `keras_rec_tx`, as the report already does.
"""

from __future__ import annotations

import functools
import inspect
import json
import re
from typing import Any

from keras_rec_tx.preset_schema import Preset

# Recorded by a run but set by the data (the catalogue) or by the run's
# own length (`benchmarks.runner` compares those as `epochs` and
# `patience`): never a sign that the preset changed.
_SIZED_BY_DATA = {"num_items"}
_RUN_LENGTH = {
    "epochs",
    "steps_per_epoch",
    "early_stopping_patience",
    "validate_every",
}


def preset_differences(result: dict[str, Any], preset: Preset) -> list[str]:
    """`"key: ran X, preset now Y"` for each setting of the model or the
    recipe that the result file recorded (`architecture`, `training`)
    and that `preset`, with the file's own overrides, now sets
    differently: the results of an old definition must not pass for the
    new one.

    A model argument the file's `architecture` lacks (it did not exist
    yet when the file was written) ran at the model's default: a preset
    that now sets it otherwise differs. A file that records neither
    part (the report's fixtures) has no differences; a training setting
    the file lacks, or that the preset leaves to `None` (resolved at fit
    time, e.g. `token_weighting`), is not compared.

    Args:
        result: a result file's content.
        preset: its preset as it is now (`keras_rec_tx.preset_schema`).
    """
    expected = {
        "architecture": preset.resolved_architecture(result.get("overrides")),
        "training": {
            **preset.training.to_dict(),
            **(result.get("training_overrides") or {}),
        },
    }
    differences = []
    for part, skip in (
        ("architecture", _SIZED_BY_DATA),
        ("training", _RUN_LENGTH),
    ):
        recorded = dict(result.get(part) or {})
        if part == "architecture" and recorded:
            recorded = {**_model_defaults(), **recorded}
        for key, now in expected[part].items():
            if key in skip or key not in recorded:
                continue
            if part == "training" and now is None:
                continue
            if not _same_setting(recorded[key], now):
                differences.append(
                    f"{key}: ran {recorded[key]!r}, preset now {now!r}"
                )
    return differences


# Schedules whose learning rate at a given step does not depend on the
# epoch cap (`FitSizedSchedule` sizes "warmup_cosine" to the whole run).
_CAP_FREE_SCHEDULES = ("constant", "cosine_restarts")


def replay(result: dict[str, Any], epochs: int, patience: int) -> int | None:
    """The epoch at which the run that `epochs` and `patience` make stops,
    if `result` (a run made with some epoch cap and early-stopping
    patience) is that run up to there; else None.

    Training is deterministic given the seed, and on a schedule that does
    not depend on the cap (constant, warm restarts) a run retraces the
    same epochs whatever its budget: sasrec_plus's seed 0 on Beauty gave
    the same validation NDCG@10, to the last bit, in all 80 epochs of its
    150-epoch patience-10 run and of the 150-epoch patience-150 run
    (sb_plus_4cycles) on one CPU core; on a GPU, where kernels are not
    bitwise deterministic, bg_rope_swiglu and bg70_rope_swiglu stopped
    at the same best epoch, test NDCG@10 within 1e-5. So Keras' early
    stopping, replayed on the file's validation history with the new
    budget, tells where the new run stops; if the file ran that far and
    its best epoch is the replay's, its test numbers (taken at the
    restored best epoch) are the new run's too, and its history up to
    the returned epoch is the new run's history.

    Args:
        result: a result file's content (`training`, `history`,
            `best_epoch`).
        epochs: the epoch cap asked for.
        patience: the early-stopping patience asked for, counted as
            Keras' `EarlyStopping` counts it (stop once `patience` epochs
            in a row bring no new best).
    """
    training = result.get("training") or {}
    if (training.get("epochs"), training.get("early_stopping_patience")) == (
        epochs,
        patience,
    ):
        return result.get("epochs_run")
    if (
        training.get("schedule") not in _CAP_FREE_SCHEDULES
        or training.get("validate_every", 1) != 1
        or result.get("stopped_by_time_limit")
    ):
        return None
    scores = [row.get("val_ndcg@10") for row in result.get("history") or []]
    best, best_epoch, wait, stop = float("-inf"), None, 0, epochs
    for epoch, score in enumerate(scores[:epochs], start=1):
        if score is None:
            return None
        wait += 1
        if score > best:
            best, best_epoch, wait = score, epoch, 0
        elif wait >= patience:
            stop = epoch
            break
    ran_far_enough = len(scores) >= stop
    if ran_far_enough and best_epoch == result.get("best_epoch"):
        return stop
    return None


@functools.cache
def _model_defaults() -> dict[str, Any]:
    """The default of every argument of `SequentialRecommender` and its
    backbone: what a run used for an argument its file does not record."""
    from keras_rec_tx.models import SequentialBackbone, SequentialRecommender

    return {
        name: parameter.default
        for cls in (SequentialBackbone, SequentialRecommender)
        for name, parameter in inspect.signature(
            cls.__init__
        ).parameters.items()
        if parameter.default is not inspect.Parameter.empty
    }


def _same_setting(recorded: Any, now: Any) -> bool:
    """Equal, also when one side is a Keras-serialized object (what a
    model config records) and the other the preset's short form: its
    config as a dict (a `NormPenalty`) or its snake_case name (an
    initializer). `None` entries of a config are defaults either way."""
    if _canonical(recorded) == _canonical(now):
        return True
    if not (_serialized(recorded) or _serialized(now)):
        return False  # two plain values (or a name and a dict) differ
    recorded, now = _as_object(recorded), _as_object(now)
    if recorded is None or now is None:
        return False
    (name, config), (name_now, config_now) = recorded, now
    return (name is None or name_now is None or name == name_now) and (
        config is None
        or config_now is None
        or _canonical(config) == _canonical(config_now)
    )


def _serialized(value: Any) -> bool:
    """A Keras-serialized object: `{"class_name": ..., "config": {...}}`."""
    return (
        isinstance(value, dict)
        and "class_name" in value
        and isinstance(value.get("config"), dict)
    )


def _as_object(value: Any) -> tuple[str | None, dict | None] | None:
    """(snake_case class name or None, config without `None`s or None) of
    a serialized object, a name or a plain dict; None for anything else."""
    if isinstance(value, str):
        return value, None
    if not isinstance(value, dict):
        return None
    if _serialized(value):
        name = re.sub(r"(?<!^)(?=[A-Z])", "_", value["class_name"]).lower()
        return name, {k: v for k, v in value["config"].items() if v is not None}
    return None, {k: v for k, v in value.items() if v is not None}


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)
