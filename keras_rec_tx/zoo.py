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
import json
import pathlib
from typing import Any

import keras

from keras_rec_tx.models.sequential_recommender import SequentialRecommender

_MODEL_ARGS = frozenset(
    SequentialRecommender.__init__.__code__.co_varnames[
        1 : SequentialRecommender.__init__.__code__.co_argcount
    ]
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


def get(
    name: str,
    *,
    compile: bool = True,  # noqa: A002 - mirrors keras' own argument name
    steps_per_epoch: int | None = None,
    **overrides: Any,
) -> SequentialRecommender:
    """Builds preset `name`, compiled with its training recipe.

    Args:
        name: a preset name (see `list()`).
        compile: compile with the preset's optimizer and schedule.
        steps_per_epoch: batches per epoch of the user's data, used to size
            learning-rate schedules (warm-up and decay lengths); defaults to
            the preset's `training.steps_per_epoch`.
        **overrides: any architecture argument (`num_items=`, `d_model=`,
            `dropout=`, ...) replacing the preset's value.

    Returns:
        A built `keras_rec_tx.models.SequentialRecommender`.
    """
    preset = describe(name)
    arch = dict(preset["architecture"])
    unknown = set(overrides) - _MODEL_ARGS
    if unknown:
        raise ValueError(
            f"Unknown override(s) {sorted(unknown)} for preset {name!r}. "
            f"Architecture arguments: {sorted(_MODEL_ARGS)}."
        )
    arch.update(overrides)
    model = SequentialRecommender(**arch, name=name)
    model.build()
    if compile:
        training = preset["training"]
        model.compile(optimizer=make_optimizer(training, steps_per_epoch))
    return model


def make_schedule(
    training: dict[str, Any], steps_per_epoch: int | None = None
) -> Any:
    """Learning rate (a float or a Keras schedule) of a training recipe."""
    steps = steps_per_epoch or training.get("steps_per_epoch", 100)
    total_steps = max(1, int(steps * training.get("epochs", 1)))
    lr = training.get("learning_rate", 1e-3)
    schedule = training.get("schedule", "constant")
    if schedule == "constant":
        learning_rate: Any = lr
    elif schedule == "warmup_cosine":
        warmup = int(total_steps * training.get("warmup_fraction", 0.05))
        learning_rate = keras.optimizers.schedules.CosineDecay(
            initial_learning_rate=0.0,
            decay_steps=max(1, total_steps - warmup),
            alpha=training.get("final_lr_fraction", 0.01),
            warmup_target=lr,
            warmup_steps=warmup,
        )
    elif schedule == "cosine_restarts":
        first = max(1, int(steps * training.get("restart_epochs", 10)))
        learning_rate = keras.optimizers.schedules.CosineDecayRestarts(
            initial_learning_rate=lr,
            first_decay_steps=first,
            t_mul=training.get("restart_t_mul", 2.0),
            m_mul=training.get("restart_m_mul", 1.0),
            alpha=training.get("final_lr_fraction", 0.01),
        )
    else:
        raise ValueError(
            "training.schedule must be 'constant', 'warmup_cosine' or "
            f"'cosine_restarts'. Received: schedule={schedule!r}"
        )
    return learning_rate


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
