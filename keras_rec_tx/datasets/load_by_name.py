"""`keras_rec_tx.datasets.load_by_name`: a dataset name (or file) to data,
the built-in synthetic data included."""

from __future__ import annotations

import os
from typing import Any

from keras_rec_tx.data.interactions import Interactions
from keras_rec_tx.datasets.loader import load
from keras_rec_tx.datasets.synthetic_data import synthetic
from keras_rec_tx.utils import check_int

SYNTHETIC = "synthetic"


def load_by_name(
    name_or_path: str | os.PathLike,
    data_dir: str | os.PathLike | None = None,
    *,
    synthetic_users: int = 2000,
    synthetic_items: int = 500,
    seed: int = 0,
    **load_kwargs: Any,
) -> Interactions:
    """The data a command line or a benchmark suite names.

    `"synthetic"` is the built-in synthetic data
    (`keras_rec_tx.datasets.synthetic` with `synthetic_users` users,
    `synthetic_items` items and `seed`); any other name or path goes to
    `keras_rec_tx.datasets.load` with `data_dir` and `load_kwargs`. It is
    the one place a name becomes data, so that "synthetic" means the same
    data to the CLI and to every benchmark.

    Example:

    ```python
    import keras_rec_tx

    data = keras_rec_tx.datasets.load_by_name("synthetic", seed=0)
    ```
    """
    if isinstance(name_or_path, str) and name_or_path == SYNTHETIC:
        seed = check_int("seed", seed, minimum=0)
        return synthetic(
            num_users=check_int("synthetic_users", synthetic_users, minimum=1),
            num_items=check_int("synthetic_items", synthetic_items, minimum=1),
            seed=seed,
        )
    return load(name_or_path, data_dir, **load_kwargs)
