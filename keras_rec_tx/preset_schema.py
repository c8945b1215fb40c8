"""Presets as data: reads, checks and resolves the zoo's preset files.

One module that `zoo.get`, the trainer, the CLI and `benchmarks/report/`
all read presets through. It builds no Keras object: a preset is plain data
(dicts and a dataclass) until `zoo.get` turns it into a model.

A preset file `zoo/<name>.json` is hand-written config only:

```
{
  "name": "swiglu",                    # the file's stem
  "description": "...",
  "base": "sasrec_plus",               # optional: start from this preset
  "architecture": {"ffn": "swiglu", "use_bias": false},
  "training": {...},                   # keys of `TrainingRecipe`
  "benchmark": {...},                  # dataset, protocol, seeds, anchor
  "ffn_width": "equal_parameters"      # optional, see below
}
```

A preset with a `base` starts from the base's architecture, recipe,
benchmark and `ffn_width`, and changes only the keys it lists, so each
ablation changes one thing. The results the benchmark scripts measure
live apart, in the generated `zoo/results/<name>.json`.

`"ffn_width": "equal_parameters"` derives the width of a GLU FFN (SwiGLU,
GeGLU) instead of typing it: `d_ff` then names the width of the plain FFN
it replaces, and the GLU gets `glu_hidden_dim(d_model, d_ff)` (about
`2 / 3 * d_ff`), the same parameter count. The rule is applied after
overrides, so `zoo.get("swiglu", d_ff=512)` has the parameters of
`zoo.get("sasrec_plus", d_ff=512)`.

Example:

```python
from keras_rec_tx import preset_schema

preset = preset_schema.resolve("rope_swiglu")
print(preset.architecture["d_ff"], preset.training.learning_rate)
print(preset.changes)  # what it changes from its base
```
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import json
import os
import pathlib
from typing import Any

from keras_rec_tx.layers.swiglu_dense import glu_hidden_dim
from keras_rec_tx.utils.validation import check_choice, check_float, check_int

FILE_KEYS = frozenset(
    {
        "name",
        "description",
        "base",
        "architecture",
        "training",
        "benchmark",
        "ffn_width",
    }
)
GLU_FFNS = ("swiglu", "geglu")

# Presets that were removed, and what to use instead: `zoo.get` of a
# retired name says so rather than guess a close match.
RETIRED = {
    "cosine_restarts": (
        "sasrec_plus, which now trains with AdamW and cosine warm restarts "
        "itself (constant_lr is the schedule comparison's Adam reference)"
    ),
}


@dataclasses.dataclass(frozen=True)
class TrainingRecipe:
    """How a preset is trained: every key and its default, in one place.

    Args:
        optimizer: `"adam"` or `"adamw"` (decoupled weight decay).
        learning_rate: the peak learning rate.
        weight_decay: AdamW's decay (ignored by Adam).
        beta_2: the optimizer's second-moment decay.
        clipnorm: clips each gradient to this norm (None: off).
        ema_momentum: keeps an exponential moving average of the weights
            with this momentum, in (0, 1) (None: off).
        schedule: `"constant"`, `"warmup_cosine"` (linear warm-up, then
            cosine decay) or `"cosine_restarts"` (SGDR).
        warmup_fraction: share of the steps spent warming up.
        final_lr_fraction: where the cosine ends, as a share of the peak.
        restart_epochs: length of the first restart cycle, in epochs.
        restart_t_mul: each cycle is this many times longer.
        restart_m_mul: each cycle's peak is this many times the last one.
        epochs: the most epochs a fit runs.
        steps_per_epoch: the schedule's steps per epoch when nothing else
            sizes it (`fit` sizes it from its own data).
        batch_size: sequences per batch.
        early_stopping_patience: epochs without a better validation
            NDCG@10 before training stops.
        validate_every: validate every this many epochs.
        bucketing: batch sequences of similar length together.
        token_weighting: how a batch weighs its target tokens (None: the
            batches' default).

    Example:

    >>> TrainingRecipe.from_dict({"learning_rate": 3e-4}).epochs
    200
    """

    optimizer: str = "adam"
    learning_rate: float = 1e-3
    weight_decay: float = 0.01
    beta_2: float = 0.98
    clipnorm: float | None = None
    ema_momentum: float | None = None
    schedule: str = "constant"
    warmup_fraction: float = 0.05
    final_lr_fraction: float = 0.01
    restart_epochs: int = 10
    restart_t_mul: float = 2.0
    restart_m_mul: float = 1.0
    epochs: int = 200
    steps_per_epoch: int = 100
    batch_size: int = 128
    early_stopping_patience: int = 10
    validate_every: int = 1
    bucketing: bool = True
    token_weighting: str | None = None

    def __post_init__(self) -> None:
        check_choice("optimizer", self.optimizer, ("adam", "adamw"))
        check_choice(
            "schedule",
            self.schedule,
            ("constant", "warmup_cosine", "cosine_restarts"),
        )
        check_float("learning_rate", self.learning_rate, minimum=0.0)
        check_float("weight_decay", self.weight_decay, minimum=0.0)
        check_float(
            "ema_momentum", self.ema_momentum, above=0, below=1, allow_none=True
        )
        for name in (
            "epochs",
            "steps_per_epoch",
            "batch_size",
            "validate_every",
            "restart_epochs",
        ):
            check_int(name, getattr(self, name), minimum=1)
        check_int(
            "early_stopping_patience", self.early_stopping_patience, minimum=0
        )

    @classmethod
    def keys(cls) -> frozenset[str]:
        """The names a recipe (and a preset's "training") may hold."""
        return frozenset(field.name for field in dataclasses.fields(cls))

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainingRecipe:
        """A recipe from a dict; unknown keys raise a ValueError."""
        unknown = set(values) - cls.keys()
        if unknown:
            raise ValueError(
                f"Unknown training recipe key(s) {sorted(unknown)}. Valid "
                f"keys: {sorted(cls.keys())}."
            )
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def replace(self, **changes: Any) -> TrainingRecipe:
        """A copy with `changes` (checked like `from_dict`)."""
        return self.from_dict({**self.to_dict(), **changes})


@dataclasses.dataclass(frozen=True)
class Preset:
    """A resolved preset: its base's values with its own changes applied.

    `stated_architecture` holds the model's keyword arguments as the files
    state them; `architecture` the same with derived values applied (what
    the model gets). `changes` is what the file itself changes from its
    base (`{"architecture": {...}, "training": {...}}`); `results` the
    generated results ({} when none were measured).
    """

    name: str
    description: str
    base: str | None
    stated_architecture: dict[str, Any]
    training: TrainingRecipe
    benchmark: dict[str, Any]
    ffn_width: str | None
    changes: dict[str, dict[str, Any]]
    results: dict[str, Any]

    @property
    def architecture(self) -> dict[str, Any]:
        return self.resolved_architecture()

    def resolved_architecture(
        self, overrides: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The architecture with `overrides`, then the derived values (the
        GLU width of `ffn_width`), applied."""
        return derive(
            {**self.stated_architecture, **(overrides or {})}, self.ffn_width
        )


def derive(arch: dict[str, Any], ffn_width: str | None) -> dict[str, Any]:
    """`arch` with its derived values: under `ffn_width="equal_parameters"`
    a GLU FFN's `d_ff` becomes the width with the parameters of a plain
    FFN of width `d_ff`."""
    arch = dict(arch)
    if ffn_width == "equal_parameters" and arch.get("ffn") in GLU_FFNS:
        arch["d_ff"] = glu_hidden_dim(
            arch["d_model"], arch["d_ff"], arch.get("use_bias", False)
        )
    return arch


# ------------------------------------------------------------------ files


def presets_dir() -> pathlib.Path:
    """The folder of preset files: the `zoo/` of the source checkout this
    package was imported from, else the installed `keras_rec_tx.presets`.

    The checkout comes first because an editable install maps
    `keras_rec_tx.presets` to the installed checkout's `zoo/`: a second
    checkout put on `PYTHONPATH` (a git worktree of another branch) would
    otherwise build its models from the first checkout's presets.
    """
    checkout = pathlib.Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "zoo").is_dir():
        return checkout / "zoo"
    try:
        import importlib.resources

        folder = importlib.resources.files("keras_rec_tx.presets")
        path = pathlib.Path(str(folder))
        if path.is_dir() and any(path.glob("*.json")):
            return path
    except ModuleNotFoundError:
        pass
    return pathlib.Path(__file__).resolve().parent.parent / "zoo"


def results_dir(folder: str | os.PathLike | None = None) -> pathlib.Path:
    """The folder of generated results, `zoo/results/`."""
    return pathlib.Path(folder or presets_dir()) / "results"


def _files(folder: str | os.PathLike | None = None) -> dict[str, dict]:
    """The preset files of `folder` (default: the zoo's), checked."""
    return _read_files(pathlib.Path(folder or presets_dir()).resolve())


@functools.lru_cache(maxsize=4)
def _read_files(folder: pathlib.Path) -> dict[str, dict]:
    files = {}
    for path in sorted(folder.glob("*.json")):
        with open(path, encoding="utf-8") as f:
            raw = json.load(f)
        unknown = set(raw) - FILE_KEYS
        if unknown:
            raise ValueError(
                f"Preset file {path} has unknown key(s) {sorted(unknown)}. "
                f"A preset file holds: {sorted(FILE_KEYS)} (results are "
                "generated into zoo/results/)."
            )
        if raw.get("name", path.stem) != path.stem:
            raise ValueError(
                f"Preset file {path} names itself {raw['name']!r}: the name "
                f"must be the file's stem. Received: name={raw['name']!r}"
            )
        files[path.stem] = raw
    return files


def names(folder: str | os.PathLike | None = None) -> list[str]:
    """Every preset's name, sorted."""
    return sorted(_files(folder))


def check_name(name: str, folder: str | os.PathLike | None = None) -> None:
    """Raises a ValueError naming close matches for an unknown preset."""
    known = _files(folder)
    if name not in known and name in RETIRED:
        raise ValueError(f"Preset {name!r} was retired: use {RETIRED[name]}.")
    if name not in known:
        close = difflib.get_close_matches(str(name), known, n=3, cutoff=0.4)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise ValueError(
            f"Unknown preset {name!r}.{hint} Known presets: "
            f"{', '.join(sorted(known))}."
        )


def load_results(
    name: str, folder: str | os.PathLike | None = None
) -> dict[str, Any]:
    """The generated results of preset `name` ({} when none)."""
    path = results_dir(folder) / f"{name}.json"
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def resolve(name: str, folder: str | os.PathLike | None = None) -> Preset:
    """Preset `name` with its `base` chain applied. `folder` reads the
    preset files of another folder than the zoo's (the report's tests)."""
    files = _files(folder)
    check_name(name, folder)
    chain = [name]
    while (base := files[chain[-1]].get("base")) is not None:
        check_name(base, folder)
        if base in chain:
            raise ValueError(f"Preset bases form a cycle: {chain + [base]}.")
        chain.append(base)
    arch: dict[str, Any] = {}
    training: dict[str, Any] = {}
    benchmark: dict[str, Any] = {}
    ffn_width = None
    for link in reversed(chain):
        raw = files[link]
        arch.update(raw.get("architecture", {}))
        training.update(raw.get("training", {}))
        benchmark = raw.get("benchmark", benchmark)
        ffn_width = raw.get("ffn_width", ffn_width)
    check_choice("ffn_width", ffn_width, (None, "equal_parameters"))
    raw = files[name]
    try:
        recipe = TrainingRecipe.from_dict(training)
    except (TypeError, ValueError) as error:
        raise ValueError(f"Preset {name!r}: {error}") from error
    return Preset(
        name=name,
        description=raw.get("description", ""),
        base=raw.get("base"),
        stated_architecture=arch,
        training=recipe,
        benchmark=dict(benchmark),
        ffn_width=ffn_width,
        changes={
            "architecture": dict(raw.get("architecture", {})),
            "training": dict(raw.get("training", {})),
        },
        results=load_results(name, folder),
    )
