"""Raw item ids <-> a model's item indices `1..num_items` (0 = padding)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


class ItemVocabulary:
    """The raw item ids (ints or strings) of indices `1..num_items`.

    A `SequentialRecommender` with a vocabulary takes and returns raw ids;
    `values` (a JSON-ready list) is what its config saves.

    Args:
        values: the raw ids of indices `1..num_items`, in order, distinct.
        num_items: the model's catalogue size.

    Example:

    ```python
    vocabulary = ItemVocabulary(["a", "b", "c"], num_items=3)
    vocabulary.encode([["c", "a"]])  # array([[3, 1]])
    vocabulary.decode([3, 0])  # array(['c', None], dtype=object)
    ```
    """

    def __init__(self, values: Any, num_items: int):
        values = np.asarray(list(values))
        if values.dtype.kind in "iu":
            values = [int(v) for v in values]
        elif values.dtype.kind in "USO" and all(
            isinstance(v, str) for v in values
        ):
            values = [str(v) for v in values]
        else:
            raise TypeError(
                "`item_vocabulary` must hold only ints or only strings (they "
                "are saved in the model's config). Received: "
                f"dtype={values.dtype}, first values {values[:5].tolist()}"
            )
        if len(values) != num_items:
            raise ValueError(
                f"`item_vocabulary` must have num_items={num_items} ids (one "
                f"per index 1..num_items). Received: {len(values)} ids"
            )
        if len(set(values)) != len(values):
            raise ValueError("`item_vocabulary` holds duplicate ids.")
        self.values = values
        self.num_items = num_items
        self._index = None  # built on the first `encode`
        self._table = None  # built on the first `decode`

    def encode(self, ids: Any) -> np.ndarray:
        """Raw ids -> indices `1..num_items` (int64, same shape); unknown
        ids raise a ValueError naming them."""
        ids = np.asarray(ids)
        if self._index is None:
            self._index = pd.Index(self.values)
        flat = ids.ravel()
        index = self._index.get_indexer(flat) if flat.size else []
        index = np.asarray(index, "int64")
        unknown = flat[index < 0]
        if unknown.size:
            raise ValueError(
                f"{unknown.size} item ids are not in this model's vocabulary "
                f"of {self.num_items} items: {unknown[:10].tolist()}"
                f"{' ...' if unknown.size > 10 else ''}. Drop them, or train "
                "a model on data that has them."
            )
        return (index + 1).reshape(ids.shape)

    def decode(self, indices: Any) -> np.ndarray:
        """Indices -> raw ids, `None` for index 0 ("no item")."""
        if self._table is None:
            self._table = np.asarray([None, *self.values], dtype=object)
        return self._table[np.asarray(indices, "int64")]


def check_indices(ids: Any, num_items: int, name: str) -> np.ndarray:
    """`ids` as int64, after a ValueError unless every entry is in
    `0..num_items` (a TypeError unless they are integers)."""
    ids = np.asarray(ids)
    if ids.dtype == object:
        try:
            ids = ids.astype("int64")
        except (TypeError, ValueError):
            raise TypeError(
                f"`{name}` must hold integer item indices (ragged or mixed "
                "rows are not arrays). Received an object array"
            ) from None
    if ids.size and not np.issubdtype(ids.dtype, np.integer):
        raise TypeError(
            f"`{name}` must hold integer item indices. Received: "
            f"dtype={ids.dtype}"
        )
    if ids.size and (ids.min() < 0 or ids.max() > num_items):
        raise ValueError(
            f"Item indices must be in 1..num_items={num_items} (0 = padding)"
            f", but the {name} hold values from {ids.min()} to {ids.max()}. "
            "Build the model for the data (keras_rec_tx.zoo.get(name, "
            "data=interactions) or num_items=data.num_items), or encode raw "
            "ids with Interactions.encode_items."
        )
    return ids.astype("int64")
