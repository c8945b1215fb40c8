"""The benchmark suites: which preset runs on which data, how long.

`published` holds the suites whose runs BENCHMARKS.md's tables read,
`explorations` the suites run to learn something (a lab notebook), and
`common` the `Run` record and what both share. `SUITES` merges them: every
`python -m benchmarks.run --suite=NAME` takes a name from it.
"""

from .common import (
    BEAUTY,
    GAMES,
    ML100K,
    SEEDS,
    STUDY_EPOCHS,
    STUDY_PATIENCE,
    Run,
    trained_without_token_weighting,
)
from .explorations import EXPLORATIONS
from .published import PUBLISHED

SUITES: dict[str, list[Run]] = {**PUBLISHED, **EXPLORATIONS}

__all__ = [
    "BEAUTY",
    "EXPLORATIONS",
    "GAMES",
    "ML100K",
    "PUBLISHED",
    "SEEDS",
    "STUDY_EPOCHS",
    "STUDY_PATIENCE",
    "SUITES",
    "Run",
    "trained_without_token_weighting",
]
