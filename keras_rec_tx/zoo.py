"""The model zoo: named presets, each one JSON file in the top-level `zoo/`.

A preset file holds a description, the architecture (the keyword arguments
of `keras_rec_tx.models.SequentialRecommender`), the training recipe, the
benchmark config and the results the benchmark scripts wrote. A preset may
name a `base` preset: its architecture and training recipe start from the
base's and change only the keys the file lists, so each ablation changes
one thing.

Example:

```python
import keras_rec_tx

print(keras_rec_tx.zoo.list())
model = keras_rec_tx.zoo.get("rope_swiglu", num_items=100)
print(keras_rec_tx.zoo.describe("rope_swiglu")["description"])
```
"""

from __future__ import annotations

import copy
import difflib
import functools
import inspect
import json
import pathlib
import warnings
from typing import Any

import keras

from keras_rec_tx.models.sequential_backbone import SequentialBackbone
from keras_rec_tx.models.sequential_recommender import SequentialRecommender
from keras_rec_tx.schedules.fit_sized_schedule import FitSizedSchedule

# Architecture arguments: the task's and its backbone's.
_MODEL_ARGS = frozenset(
    name
    for cls in (SequentialRecommender, SequentialBackbone)
    for name, param in inspect.signature(cls.__init__).parameters.items()
    if name != "self" and param.kind is param.POSITIONAL_OR_KEYWORD
)


def presets_dir() -> pathlib.Path:
    """The folder of preset files (installed package or source checkout)."""
    try:
        import importlib.resources

        folder = importlib.resources.files("keras_rec_tx.presets")
        path = pathlib.Path(str(folder))
        if path.is_dir() and any(path.glob("*.json")):
            return path
    except ModuleNotFoundError:
        pass
    return pathlib.Path(__file__).resolve().parent.parent / "zoo"


@functools.lru_cache(maxsize=1)
def _raw_presets() -> dict[str, dict]:
    presets = {}
    for path in sorted(presets_dir().glob("*.json")):
        with open(path, encoding="utf-8") as f:
            presets[path.stem] = json.load(f)
    return presets


def list() -> list[str]:  # noqa: A001 - the public name the design fixes
    """Names of every preset, sorted."""
    return sorted(_raw_presets())


def _check_name(name: str) -> None:
    names = _raw_presets()
    if name not in names:
        close = difflib.get_close_matches(str(name), names, n=3, cutoff=0.4)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise ValueError(
            f"Unknown preset {name!r}.{hint} Known presets: "
            f"{', '.join(sorted(names))}."
        )


def describe(name: str) -> dict[str, Any]:
    """The resolved preset: description, architecture, training, benchmark,
    results (with `base` presets merged in)."""
    _check_name(name)
    raw = copy.deepcopy(_raw_presets()[name])
    base = raw.get("base")
    if base is None:
        resolved = raw
    else:
        resolved = describe(base)
        resolved["architecture"].update(raw.get("architecture", {}))
        resolved["training"].update(raw.get("training", {}))
        for key, value in raw.items():
            if key not in ("architecture", "training"):
                resolved[key] = value
        resolved["results"] = raw.get("results", {})
    resolved["name"] = name
    return resolved


# Keys of a preset's training recipe (`zoo.get` takes them as overrides).
TRAINING_KEYS = frozenset(
    {
        "optimizer",
        "learning_rate",
        "weight_decay",
        "beta_2",
        "clipnorm",
        "ema_momentum",
        "schedule",
        "warmup_fraction",
        "final_lr_fraction",
        "restart_epochs",
        "restart_t_mul",
        "restart_m_mul",
        "epochs",
        "steps_per_epoch",
        "batch_size",
        "early_stopping_patience",
        "validate_every",
        "bucketing",
        "token_weighting",
    }
)


def get(
    name: str,
    *,
    data: Any = None,
    weights: str | None = None,
    compile: bool = True,  # noqa: A002 - mirrors keras' own argument name
    steps_per_epoch: int | None = None,
    **overrides: Any,
) -> SequentialRecommender:
    """Builds preset `name`, compiled with its training recipe.

    Args:
        name: a preset name (see `list()`).
        data: a `keras_rec_tx.data.Interactions` to size the catalogue
            from: the model gets `num_items=data.num_items` and keeps the
            raw item ids as its vocabulary (saved with it), so `recommend`
            takes and returns raw ids. Without `data` or `num_items=` the
            preset's own catalogue size is used, with a warning.
        weights: a saved `.keras` file (or the name of one in the
            repository's `saved_models/`) to load instead of building a
            fresh model; overrides are then not allowed.
        compile: compile with the preset's optimizer and schedule.
        steps_per_epoch: fixes the learning-rate schedule's steps per
            epoch. By default `fit` sizes it from its own data and epochs.
        **overrides: architecture arguments (`num_items=`, `d_model=`,
            `dropout=`, ...) and training-recipe keys (`learning_rate=`,
            `weight_decay=`, `schedule=`, `epochs=`, ...) replacing the
            preset's values.

    Returns:
        A built `keras_rec_tx.models.SequentialRecommender`.
    """
    if weights is not None:
        if overrides or data is not None:
            raise ValueError(
                "`weights=` loads a trained model as it was saved: drop "
                f"the other arguments. Received: {sorted(overrides)}"
                + (" and data" if data is not None else "")
            )
        return _load_weights(name, weights)
    preset = describe(name)
    arch = dict(preset["architecture"])
    training = dict(preset["training"])
    unknown = set(overrides) - _MODEL_ARGS - TRAINING_KEYS
    if unknown:
        raise ValueError(
            f"Unknown override(s) {sorted(unknown)} for preset {name!r}. "
            f"Architecture arguments: {sorted(_MODEL_ARGS)}. Training "
            f"recipe keys: {sorted(TRAINING_KEYS)}."
        )
    for key, value in overrides.items():
        (training if key in TRAINING_KEYS else arch)[key] = value
    if data is not None:
        if "num_items" in overrides or "item_vocabulary" in overrides:
            raise ValueError(
                "Give either `data` or `num_items`/`item_vocabulary`, not "
                "both: `data` sets them."
            )
        arch["num_items"] = data.num_items
        arch["item_vocabulary"] = [_plain(v) for v in data.item_ids]
    elif "num_items" not in overrides:
        warnings.warn(
            f"zoo.get({name!r}) was not sized from data: it uses the "
            f"preset's catalogue of num_items={arch['num_items']}. Pass "
            "data=interactions (or num_items=) for your own data.",
            stacklevel=2,
        )
    model = SequentialRecommender(**arch, name=name)
    model.build()
    if compile:
        model.compile(optimizer=make_optimizer(training, steps_per_epoch))
    return model


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value a JSON config can hold."""
    return value.item() if hasattr(value, "item") else value


def _load_weights(name: str, weights: str) -> SequentialRecommender:
    path = pathlib.Path(weights)
    if not path.suffix:
        path = saved_models_dir() / f"{weights}.keras"
    if not path.is_file():
        raise FileNotFoundError(
            f"No saved model at {str(path)!r}. Pass a .keras file or one "
            f"of: {sorted(p.stem for p in saved_models_dir().glob('*.keras'))}"
        )
    model = keras.saving.load_model(path)
    if not isinstance(model, SequentialRecommender):
        raise ValueError(f"{str(path)!r} does not hold a keras_rec_tx model.")
    return model


def saved_models_dir() -> pathlib.Path:
    """The repository's `saved_models/` folder of trained presets."""
    return pathlib.Path(__file__).resolve().parent.parent / "saved_models"


def make_schedule(
    training: dict[str, Any], steps_per_epoch: int | None = None
) -> Any:
    """Learning rate of a training recipe: a float, or a
    `keras_rec_tx.schedules.FitSizedSchedule` that `fit` sizes from its
    own steps and epochs unless `steps_per_epoch` fixes it here."""
    lr = training.get("learning_rate", 1e-3)
    schedule = training.get("schedule", "constant")
    if schedule == "constant":
        return lr
    if schedule not in ("warmup_cosine", "cosine_restarts"):
        raise ValueError(
            "training.schedule must be 'constant', 'warmup_cosine' or "
            f"'cosine_restarts'. Received: schedule={schedule!r}"
        )
    steps = steps_per_epoch
    if steps is None:
        steps = training.get("steps_per_epoch", 100)
    return FitSizedSchedule(
        schedule,
        lr,
        steps_per_epoch=steps,
        epochs=training.get("epochs", 1),
        warmup_fraction=training.get("warmup_fraction", 0.05),
        final_lr_fraction=training.get("final_lr_fraction", 0.01),
        restart_epochs=training.get("restart_epochs", 10),
        restart_t_mul=training.get("restart_t_mul", 2.0),
        restart_m_mul=training.get("restart_m_mul", 1.0),
        fixed=steps_per_epoch is not None,
    )


def make_optimizer(
    training: dict[str, Any], steps_per_epoch: int | None = None
) -> keras.optimizers.Optimizer:
    """Optimizer of a training recipe, with its learning-rate schedule.

    AdamW leaves biases, norm scales and embeddings of positions out of
    weight decay (the usual practice for Transformers). With
    `ema_momentum` the optimizer keeps an exponential moving average of
    the weights (Keras's `use_ema`): `fit` ends with the averaged weights,
    and `keras.callbacks.SwapEMAWeights` scores them during training.

    >>> make_optimizer({"ema_momentum": 0.999}).use_ema
    True
    """
    learning_rate = make_schedule(training, steps_per_epoch)
    optimizer = training.get("optimizer", "adam")
    common = {
        "beta_2": training.get("beta_2", 0.98),
        "clipnorm": training.get("clipnorm"),
        **_ema_arguments(training.get("ema_momentum")),
    }
    if optimizer == "adam":
        return keras.optimizers.Adam(learning_rate, **common)
    if optimizer == "adamw":
        adamw = keras.optimizers.AdamW(
            learning_rate,
            weight_decay=training.get("weight_decay", 0.01),
            **common,
        )
        adamw.exclude_from_weight_decay(
            var_names=["bias", "gamma", "beta", "scale"]
        )
        return adamw
    raise ValueError(
        "training.optimizer must be 'adam' or 'adamw'. "
        f"Received: optimizer={optimizer!r}"
    )


def _ema_arguments(momentum: float | None) -> dict[str, Any]:
    """The optimizer arguments of a recipe's `ema_momentum` (None: off)."""
    if momentum is None:
        return {}
    if not 0.0 < momentum < 1.0:
        raise ValueError(
            "training.ema_momentum must be in (0, 1), e.g. 0.999. "
            f"Received: ema_momentum={momentum!r}"
        )
    return {"use_ema": True, "ema_momentum": momentum}
