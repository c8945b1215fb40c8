"""Request encoding shared by the data pipeline and the models.

Models read left-padded int32 item indices (`0` = padding) and, when they
are time-aware, int32 seconds since `TIME_ORIGIN`. This module turns what a
user holds (lists of ids, unix seconds, numpy datetimes, pandas timestamps,
a DataFrame of interactions) into those arrays. It sits below both
`keras_rec_tx.data` and `keras_rec_tx.models`, so neither has to import the
other.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

# Models read timestamps as int32 seconds since this fixed origin
# (1999-12-30 00:00 UTC, a Thursday like the unix epoch and a whole number
# of weeks after it, so time of day and day of week are unchanged). It is
# the same for every dataset, so a model trained on one log can score raw
# unix times of another. int32 covers 1931-12 to 2068-01.
TIME_ORIGIN = 946_512_000
# Numbers above this are not unix seconds (it is the year 5138).
_MAX_UNIX_SECONDS = 10**11


def pad_left(rows: Any, name: str, fill: int = 0) -> np.ndarray:
    """A list of int lists (oldest first) or a 2-D int array as a
    left-padded int64 array `(batch, longest)` with `fill` as padding.

    A 2-D array must already be left-padded with `0`: a row whose zeros
    come after an item (right padding) is refused, since the model reads
    the last column as the newest item.
    """
    if isinstance(rows, np.ndarray) or hasattr(rows, "shape"):
        array = np.asarray(rows)
        if array.ndim != 2:
            raise ValueError(
                f"`{name}` must be 2-D (batch, seq) or a list of lists. "
                f"Received: shape={array.shape}"
            )
        if array.size and not np.issubdtype(array.dtype, np.integer):
            raise TypeError(
                f"`{name}` must hold integers. Received: dtype={array.dtype}"
            )
        array = array.astype("int64")
        real = array != 0
        # Left padding: once a row has an item, every later column has one.
        right_padded = np.flatnonzero((np.cumsum(real, 1) > 0) & ~real)
        if right_padded.size:
            row = int(right_padded[0] // array.shape[1])
            raise ValueError(
                f"`{name}` must be LEFT-padded with 0 (the last column is "
                f"the newest item), but row {row} has padding after an "
                f"item: {array[row].tolist()[:20]}. Pass lists of items "
                "instead, or pad on the left."
            )
        return array
    if isinstance(rows, (str, bytes)) or not hasattr(rows, "__iter__"):
        raise TypeError(
            f"`{name}` must be a list of lists or a 2-D array. "
            f"Received: {type(rows).__name__}"
        )
    rows = [_as_row(row, name, i) for i, row in enumerate(rows)]
    width = max([len(row) for row in rows] + [1])
    out = np.full((len(rows), width), fill, "int64")
    for i, row in enumerate(rows):
        if len(row):
            out[i, width - len(row) :] = row
    return out


def _as_row(row: Any, name: str, i: int) -> np.ndarray:
    if isinstance(row, (str, bytes)) or not hasattr(row, "__iter__"):
        raise TypeError(
            f"`{name}`[{i}] must be a list of items. Received: {row!r}"
        )
    array = np.asarray(list(row))
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise TypeError(
            f"`{name}`[{i}] must hold integers. Received: {array[:5].tolist()}"
        )
    return array.astype("int64")


def to_unix_seconds(values: Any, name: str) -> np.ndarray:
    """Unix seconds (int64) of `values`: ints or floats in seconds, numpy
    `datetime64`, pandas timestamps (time-zone aware ones in UTC), or
    datetime objects."""
    array = np.asarray(values)
    if array.dtype == object:
        flat = pd.to_datetime(pd.Series(array.ravel()), utc=True)
        # Whatever the resolution pandas picked (ns, us, s):
        epoch = pd.Timestamp(0, tz="UTC")
        seconds = (flat - epoch) // pd.Timedelta(seconds=1)
        return seconds.to_numpy("int64").reshape(array.shape)
    if np.issubdtype(array.dtype, np.datetime64):
        return array.astype("datetime64[s]").astype("int64")
    if array.dtype.kind not in "iuf":
        raise TypeError(
            f"`{name}` must be unix seconds, numpy datetime64 or pandas "
            f"timestamps. Received: dtype={array.dtype}"
        )
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise ValueError(f"`{name}` holds NaN or infinite times.")
    if array.size and np.abs(array).max() >= _MAX_UNIX_SECONDS:
        raise ValueError(
            f"`{name}` must be unix SECONDS; values up to "
            f"{np.abs(array).max():.0f} look like milliseconds or finer. "
            "Divide by 1000 (or pass datetimes)."
        )
    return np.floor(array).astype("int64")


def to_time_offsets(seconds: np.ndarray, mask: np.ndarray, name: str):
    """Unix seconds -> int32 seconds since `TIME_ORIGIN` (0 where masked)."""
    offsets = np.where(mask, np.asarray(seconds, "int64") - TIME_ORIGIN, 0)
    info = np.iinfo(np.int32)
    if offsets.size and (offsets.min() < info.min or offsets.max() > info.max):
        raise ValueError(
            f"`{name}` must be times between 1931-12 and 2068-01. Received "
            f"unix seconds from {seconds[mask].min()} to {seconds[mask].max()}"
        )
    return offsets.astype("int32")


def frame_histories(
    frame: pd.DataFrame, user: str, item: str, time: str | None
) -> tuple[np.ndarray, list, list | None]:
    """(users in order of first appearance, their item lists, their time
    lists or None) of a DataFrame of interactions."""
    for role, column in (("user", user), ("item", item), ("time", time)):
        if column is not None and column not in frame.columns:
            raise ValueError(
                f"The {role} column {column!r} is not in the DataFrame. "
                f"Columns: {[str(c) for c in frame.columns]}"
            )
    codes, users = pd.factorize(frame[user], sort=False)
    order = np.argsort(codes, kind="stable")
    starts = np.searchsorted(codes[order], np.arange(len(users) + 1))
    items = frame[item].to_numpy()[order]
    histories = [items[a:b] for a, b in zip(starts[:-1], starts[1:])]
    times = None
    if time is not None:
        seconds = to_unix_seconds(frame[time].to_numpy(), time)[order]
        times = [seconds[a:b] for a, b in zip(starts[:-1], starts[1:])]
    return np.asarray(users, dtype=object), histories, times
