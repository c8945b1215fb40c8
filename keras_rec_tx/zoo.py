"""The model zoo: named presets, each one JSON file in the top-level `zoo/`.

A preset file holds hand-written config: a description, the architecture
(the keyword arguments of `keras_rec_tx.models.SequentialRecommender`), the
training recipe (`keras_rec_tx.preset_schema.TrainingRecipe`) and the
benchmark config; a preset may name a `base` preset and change only the
keys it lists. `keras_rec_tx.preset_schema` reads and resolves the files;
the measured results live in the generated `zoo/results/`, and `describe`
joins them.

Example:

```python
import keras_rec_tx

print(keras_rec_tx.zoo.list())
print(keras_rec_tx.zoo.summary("rope_swiglu"))
model = keras_rec_tx.zoo.get("rope_swiglu", num_items=100)
```
"""

from __future__ import annotations

import inspect
import pathlib
import warnings
from typing import Any

import keras

from keras_rec_tx import preset_schema
from keras_rec_tx.models.sequential_backbone import SequentialBackbone
from keras_rec_tx.models.sequential_recommender import SequentialRecommender
from keras_rec_tx.preset_schema import TrainingRecipe, presets_dir
from keras_rec_tx.schedules.fit_sized_schedule import FitSizedSchedule

# Architecture arguments: the task's and its backbone's.
_MODEL_ARGS = frozenset(
    name
    for cls in (SequentialRecommender, SequentialBackbone)
    for name, param in inspect.signature(cls.__init__).parameters.items()
    if name != "self" and param.kind is param.POSITIONAL_OR_KEYWORD
)
# Keys of a preset's training recipe (`zoo.get` takes them as overrides).
TRAINING_KEYS = TrainingRecipe.keys()

__all__ = [
    "TRAINING_KEYS",
    "describe",
    "get",
    "list",
    "make_optimizer",
    "make_schedule",
    "presets_dir",
    "saved_models_dir",
    "summary",
]


def list() -> list[str]:  # noqa: A001 - the public name the design fixes
    """Names of every preset, sorted."""
    return preset_schema.names()


def describe(name: str) -> dict[str, Any]:
    """The resolved preset as a dict: `description`, `base`,
    `architecture` (derived values applied), `training` (the full recipe,
    defaults included), `benchmark`, `changes` (what the file changes from
    its base) and the generated `results` ({} when none)."""
    preset = preset_schema.resolve(name)
    return {
        "name": preset.name,
        "description": preset.description,
        "base": preset.base,
        "ffn_width": preset.ffn_width,
        "architecture": preset.architecture,
        "training": preset.training.to_dict(),
        "benchmark": preset.benchmark,
        "changes": preset.changes,
        "results": preset.results,
    }


def summary(name: str) -> str:
    """A few readable lines on preset `name`: what it is, what it changes
    from its base, and its measured result.

    >>> print(summary("swiglu"))  # doctest: +SKIP
    swiglu: sasrec_plus with a bias-free SwiGLU FFN at equal parameter ...
      changes from sasrec_plus: ffn='swiglu', use_bias=False, d_ff=171 ...
      measured: s3rec-amazon-beauty full-loo, NDCG@10 0.0474 +- 0.0005 ...
    """
    preset = preset_schema.resolve(name)
    lines = [f"{name}: {preset.description}"]
    changed = {**preset.changes["architecture"], **preset.changes["training"]}
    if preset.ffn_width and "ffn" in changed:
        changed["d_ff"] = preset.architecture["d_ff"]
    text = ", ".join(f"{key}={value!r}" for key, value in changed.items())
    if preset.ffn_width and "ffn" in changed:
        text += " (d_ff derived: equal parameters)"
    lines.append(f"  changes from {preset.base or 'nothing'}: {text or '-'}")
    results = preset.results
    if results:
        stats = [
            f"{label} {_mean_std(results[key])}"
            for key, label in (("ndcg@10", "NDCG@10"), ("hr@10", "HR@10"))
            if results.get(key, {}).get("mean") is not None
        ]
        lines.append(
            f"  measured: {results['dataset']} {results['protocol']}, "
            + ", ".join(stats)
            + f" ({len(results['seeds'])} seeds, {results['backend']})"
        )
        if results.get("train_seconds"):
            epochs = results.get("epochs") or []
            lines.append(
                f"  cost: {results['train_seconds']:.0f} s of training"
                + (
                    f" ({sum(epochs) / len(epochs):.0f} epochs)"
                    if epochs
                    else ""
                )
                + f" on {results.get('machine', 'an unrecorded machine')}"
            )
    else:
        lines.append("  measured: no results yet")
    return "\n".join(lines)


def _mean_std(value: dict[str, Any]) -> str:
    """`mean +- std`, or the mean alone for one seed (std null)."""
    text = f"{value['mean']:.4f}"
    if value.get("std") is None:
        return text
    return f"{text} +- {value['std']:.4f}"


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
            preset's values. In a preset with `"ffn_width":
            "equal_parameters"` (the GLU presets), `d_ff=` is the width of
            the plain FFN to match: the GLU gets the same parameter count.

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
    preset = preset_schema.resolve(name)
    unknown = set(overrides) - _MODEL_ARGS - TRAINING_KEYS
    if unknown:
        raise ValueError(
            f"Unknown override(s) {sorted(unknown)} for preset {name!r}. "
            f"Architecture arguments: {sorted(_MODEL_ARGS)}. Training "
            f"recipe keys: {sorted(TRAINING_KEYS)}."
        )
    changes = {k: v for k, v in overrides.items() if k not in TRAINING_KEYS}
    training = preset.training.replace(
        **{k: v for k, v in overrides.items() if k in TRAINING_KEYS}
    )
    if data is not None:
        if "num_items" in overrides or "item_vocabulary" in overrides:
            raise ValueError(
                "Give either `data` or `num_items`/`item_vocabulary`, not "
                "both: `data` sets them."
            )
        changes["num_items"] = data.num_items
        changes["item_vocabulary"] = [_plain(v) for v in data.item_ids]
    elif "num_items" not in overrides:
        warnings.warn(
            f"zoo.get({name!r}) was not sized from data: it uses the "
            "preset's catalogue of "
            f"num_items={preset.architecture['num_items']}. Pass "
            "data=interactions (or num_items=) for your own data.",
            stacklevel=2,
        )
    arch = preset.resolved_architecture(changes)
    typos = set(arch) - _MODEL_ARGS
    if typos:
        raise ValueError(
            f"Preset {name!r} has unknown architecture key(s) "
            f"{sorted(typos)}. Architecture arguments: {sorted(_MODEL_ARGS)}."
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


def _recipe(training: TrainingRecipe | dict[str, Any]) -> TrainingRecipe:
    if isinstance(training, TrainingRecipe):
        return training
    return TrainingRecipe.from_dict(training)


def make_schedule(
    training: TrainingRecipe | dict[str, Any],
    steps_per_epoch: int | None = None,
) -> Any:
    """Learning rate of a training recipe: a float, or a
    `keras_rec_tx.schedules.FitSizedSchedule` that `fit` sizes from its
    own steps and epochs unless `steps_per_epoch` fixes it here."""
    recipe = _recipe(training)
    if recipe.schedule == "constant":
        return recipe.learning_rate
    return FitSizedSchedule(
        recipe.schedule,
        recipe.learning_rate,
        steps_per_epoch=steps_per_epoch or recipe.steps_per_epoch,
        epochs=recipe.epochs,
        warmup_fraction=recipe.warmup_fraction,
        final_lr_fraction=recipe.final_lr_fraction,
        restart_epochs=recipe.restart_epochs,
        restart_t_mul=recipe.restart_t_mul,
        restart_m_mul=recipe.restart_m_mul,
        fixed=steps_per_epoch is not None,
    )


def make_optimizer(
    training: TrainingRecipe | dict[str, Any],
    steps_per_epoch: int | None = None,
) -> keras.optimizers.Optimizer:
    """Optimizer of a training recipe, with its learning-rate schedule.

    With `ema_momentum` the optimizer keeps an exponential moving average
    of the weights (Keras's `use_ema`): `fit` ends with the averaged
    weights, and `keras.callbacks.SwapEMAWeights` scores them during
    training. Which weights AdamW decays is the model's choice
    (`SequentialRecommender.compile`: not biases, norm scales or embedding
    tables).

    >>> make_optimizer({"ema_momentum": 0.999}).use_ema
    True
    """
    recipe = _recipe(training)
    common = {"beta_2": recipe.beta_2, "clipnorm": recipe.clipnorm}
    if recipe.ema_momentum is not None:
        common.update(use_ema=True, ema_momentum=recipe.ema_momentum)
    learning_rate = make_schedule(recipe, steps_per_epoch)
    if recipe.optimizer == "adamw":
        return keras.optimizers.AdamW(
            learning_rate, weight_decay=recipe.weight_decay, **common
        )
    return keras.optimizers.Adam(learning_rate, **common)
