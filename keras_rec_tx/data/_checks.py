"""Checks and conversions of what users pass to `Interactions` (private)."""

import difflib
import numbers
import warnings
from collections.abc import Hashable, Iterable, Mapping

import numpy as np
import pandas as pd

from keras_rec_tx.utils import check_float

# 1e11 seconds is the year 5138: larger epoch values are milliseconds.
MILLISECONDS_THRESHOLD = 10**11
# 1e14 milliseconds is the year 5138 too: larger values are micro/nanoseconds.
MICROSECONDS_THRESHOLD = 10**14


def check_roles(df: pd.DataFrame, roles: dict) -> None:
    """Column arguments: labels (str/int), one column per role, and the
    DataFrame's own column names unique where they are used."""
    for role, column in roles.items():
        if column is not None and not isinstance(column, (str, int)):
            raise TypeError(
                f"`{role}` must be a column name. Received: {role}={column!r}"
            )
        if isinstance(column, bool):
            raise TypeError(
                f"`{role}` must be a column name. Received: {role}={column!r}"
            )
    used = [(r, c) for r, c in roles.items() if c is not None]
    for i, (role, column) in enumerate(used):
        for other, other_column in used[:i]:
            if column == other_column:
                raise ValueError(
                    f"`{other}` and `{role}` name the same column "
                    f"{column!r}; each role needs its own column. "
                    f"Received: {other}={column!r}, {role}={column!r}"
                )
    duplicated = df.columns[df.columns.duplicated()].tolist()
    clash = [c for _, c in used if c in duplicated]
    if clash:
        raise ValueError(
            f"The DataFrame has several columns named {clash[0]!r}; rename "
            f"them first. Duplicated column names: {duplicated}"
        )


def check_columns(df: pd.DataFrame, roles: dict) -> None:
    """Raises a ValueError naming each missing column and close matches."""
    columns = [str(c) for c in df.columns]
    for role, column in roles.items():
        if column is None or column in df.columns:
            continue
        close = difflib.get_close_matches(str(column), columns, n=3, cutoff=0.5)
        if not close:
            lowered = {c.lower(): c for c in columns}
            close = [
                lowered[c]
                for c in difflib.get_close_matches(
                    str(column).lower(), list(lowered), n=3, cutoff=0.5
                )
            ]
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"Column {column!r} (the {role} column) is not in the DataFrame."
            f"{hint} Available columns: {columns}. Pass "
            f"{role}=<column name>. Received: {role}={column!r}"
        )


def check_ids(values: pd.Series, column: str) -> None:
    """Raises a ValueError if an id column holds NaN or None."""
    missing = values.isna().to_numpy()
    if missing.any():
        row = values.index[int(np.argmax(missing))]
        raise ValueError(
            f"Column {column!r} has {int(missing.sum())} missing ids "
            f"(NaN/None), the first at row {row!r}. Drop or fill them "
            f"first, e.g. df.dropna(subset=[{column!r}])."
        )


def factorize(values: np.ndarray, column: str, offset: int):
    """`pd.factorize(sort=True)` plus `offset`; returns (codes, uniques).

    Integer ids spanning a small range take an O(n) path (same result).
    """
    if values.dtype.kind in "iu" and len(values):
        low, high = int(values.min()), int(values.max())
        if high - low <= max(4 * len(values), 1 << 20):
            shifted = values - low
            present = np.zeros(high - low + 1, dtype=bool)
            present[shifted] = True
            codes = np.cumsum(present, dtype=np.int64) - (1 - offset)
            uniques = (np.flatnonzero(present) + low).astype(values.dtype)
            return codes[shifted], uniques
    if values.dtype == object:
        kind = pd.api.types.infer_dtype(values, skipna=False)
        if kind.startswith("mixed"):
            kinds = sorted({type(v).__name__ for v in values})
            raise ValueError(
                f"Column {column!r} mixes id types {kinds} (e.g. 1 and '1' "
                "would be different ids). Convert them to one type first, "
                f"e.g. df[{column!r}] = df[{column!r}].astype(str)."
            )
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64) + offset, np.asarray(uniques)


def _first_bad(values: pd.Series, bad: np.ndarray) -> str:
    i = int(np.argmax(bad))
    return f"{values.iloc[i]!r} at row {values.index[i]!r}"


def to_seconds(values: pd.Series, column: str) -> np.ndarray:
    """Converts a timestamp column to int64 unix seconds, checking it.

    datetime64 values (naive = UTC, or tz-aware) become int64 seconds.
    Numbers are floored to whole seconds. If every value is >= 1e11 the
    column is read as milliseconds: a warning is raised and the values are
    divided by 1000. A column that mixes values below and above 1e11
    (seconds with milliseconds) raises a ValueError, so does a column
    whose values are >= 1e14 (micro- or nanoseconds), NaN/NaT, infinite or
    non-numeric.
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        missing = values.isna().to_numpy()
        if missing.any():
            raise ValueError(
                f"Column {column!r} has {int(missing.sum())} missing "
                f"timestamps (NaT), the first at row "
                f"{values.index[int(np.argmax(missing))]!r}. Drop or fill "
                f"them first."
            )
        array = values.to_numpy().astype("datetime64[s]").astype(np.int64)
        return array
    textual = values.dtype == object or pd.api.types.is_string_dtype(
        values.dtype
    )
    if pd.api.types.is_bool_dtype(values.dtype) or not (
        pd.api.types.is_numeric_dtype(values.dtype) or textual
    ):
        raise ValueError(
            f"Column {column!r} has non-numeric timestamps of dtype "
            f"{values.dtype} (first value {values.iloc[0]!r}). Pass unix "
            f"seconds or datetime64 values, e.g. "
            f"df[{column!r}] = pd.to_datetime(df[{column!r}])."
        )
    if textual:
        numeric = pd.to_numeric(values, errors="coerce")
        bad = (numeric.isna() & values.notna()).to_numpy()
        if bad.any():
            raise ValueError(
                f"Column {column!r} has {int(bad.sum())} non-numeric "
                f"timestamps, the first {_first_bad(values, bad)}. Pass "
                f"unix seconds or datetime64 values, e.g. "
                f"df[{column!r}] = pd.to_datetime(df[{column!r}])."
            )
        values = numeric
    if pd.api.types.is_integer_dtype(values.dtype) and not values.hasnans:
        array = values.to_numpy(dtype=np.int64)
    else:  # floats, or nullable integers with <NA>
        array = values.to_numpy(dtype=np.float64, na_value=np.nan)
    if array.dtype.kind == "f":
        bad = ~np.isfinite(array)
        if bad.any():
            raise ValueError(
                f"Column {column!r} has {int(bad.sum())} missing or "
                f"infinite timestamps (NaN/inf), the first "
                f"{_first_bad(values, bad)}. Drop or fill them first."
            )
        if np.abs(array).max() >= 2.0**62:
            raise ValueError(
                f"Column {column!r} has timestamps too large for int64 "
                f"seconds (max {np.abs(array).max()!r})."
            )
        array = np.floor(array)
    array = array.astype(np.int64, copy=False)
    low, high = int(array.min()), int(array.max())
    magnitude = max(abs(low), abs(high))
    smallest = low if low >= 0 else int(np.abs(array).min())
    if magnitude < MILLISECONDS_THRESHOLD:
        return array
    big = np.abs(array) >= MILLISECONDS_THRESHOLD
    if smallest < MILLISECONDS_THRESHOLD:
        raise ValueError(
            f"Column {column!r} mixes timestamps that look like milliseconds "
            f"({int(big.sum())} values >= 1e11, e.g. "
            f"{_first_bad(values, big)}) with timestamps that look like "
            f"seconds ({int((~big).sum())} values < 1e11, e.g. "
            f"{_first_bad(values, ~big)}). Convert the column to one unit "
            f"(unix seconds) first."
        )
    if magnitude >= MICROSECONDS_THRESHOLD:
        raise ValueError(
            f"Column {column!r} has timestamps >= 1e14 (e.g. "
            f"{_first_bad(values, np.abs(array) >= MICROSECONDS_THRESHOLD)}"
            "): they look like micro- or nanoseconds. Convert them to unix "
            f"seconds first, e.g. df[{column!r}] // 10**6."
        )
    warnings.warn(
        f"Column {column!r} looks like milliseconds (every value is >= "
        "1e11); converting to seconds with // 1000. Pass seconds to silence "
        "this warning.",
        UserWarning,
        stacklevel=3,
    )
    return array // 1000


def check_ratings(values: pd.Series, column: str, min_rating) -> np.ndarray:
    """Checks a rating column for a threshold; returns the keep mask."""
    min_rating = check_float("min_rating", min_rating, minimum=0.0)
    if pd.api.types.is_bool_dtype(values.dtype) or not (
        pd.api.types.is_numeric_dtype(values.dtype)
    ):
        numeric = pd.to_numeric(values, errors="coerce")
        bad = (numeric.isna() & values.notna()).to_numpy()
        if pd.api.types.is_bool_dtype(values.dtype) or bad.any():
            bad = bad if bad.any() else np.ones(len(values), bool)
            raise ValueError(
                f"Column {column!r} has non-numeric ratings, the first "
                f"{_first_bad(values, bad)}. A rating threshold "
                f"(min_rating) needs numbers, e.g. "
                f"pd.to_numeric(df[{column!r}])."
            )
        values = numeric
    array = values.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(array)
    if bad.any():
        raise ValueError(
            f"Column {column!r} has {int(bad.sum())} missing or infinite "
            f"ratings (NaN/inf), the first {_first_bad(values, bad)}. "
            f"Drop or fill them before applying min_rating."
        )
    bad = array < 0
    if bad.any():
        raise ValueError(
            f"Column {column!r} has {int(bad.sum())} negative ratings, the "
            f"first {_first_bad(values, bad)}. min_rating expects ratings "
            f">= 0 (e.g. 1-5 stars); rescale them or drop min_rating."
        )
    return array >= min_rating


def to_seconds_scalar(value, name: str) -> int:
    """Unix seconds (int or float, floored) or a date -> int seconds."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"`{name}` must be unix seconds or a date. Received: "
            f"{name}={value!r}"
        )
    if isinstance(value, numbers.Real):
        # pd.Timestamp would read a float as nanoseconds: every split empty.
        if not np.isfinite(value) or abs(value) >= 2.0**62:
            raise ValueError(
                f"`{name}` must be finite unix seconds. Received: "
                f"{name}={value!r}"
            )
        return int(np.floor(value))
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError, OverflowError) as error:
        raise ValueError(
            f"`{name}` must be unix seconds (a number) or a date. "
            f"Received: {name}={value!r}"
        ) from error
    if stamp is pd.NaT:
        raise ValueError(
            f"`{name}` must be unix seconds or a date, not NaT. "
            f"Received: {name}={value!r}"
        )
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return int(stamp.value // 10**9)


def as_array(name: str, value) -> np.ndarray:
    """`np.asarray(value)`, with a ValueError naming `name` for ragged
    nested lists instead of NumPy's."""
    try:
        return np.asarray(value)
    except ValueError as error:
        raise ValueError(
            f"`{name}` must be a rectangular array (not ragged nested "
            f"lists). Received: {name}={str(value)[:80]}"
        ) from error


def int_array(name: str, value, ndim: int | None = 1) -> np.ndarray:
    """An integer array (an empty list too), else a TypeError/ValueError
    naming `name`."""
    array = as_array(name, value)
    if array.size == 0 and array.dtype.kind == "f":
        array = array.astype(np.int64)
    if array.dtype.kind not in "iu":
        raise TypeError(
            f"`{name}` must hold integers. Received: {name} with dtype "
            f"{array.dtype} (first values {array.ravel()[:5].tolist()})"
        )
    if ndim is not None and array.ndim != ndim:
        raise ValueError(
            f"`{name}` must be a {ndim}-D array. Received: "
            f"{name}.shape={array.shape}"
        )
    return array


def list_of_lists(name: str, value) -> list:
    """A list of per-user lists (lists, tuples or 1-D arrays)."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(
        value, Iterable
    ):
        raise TypeError(
            f"`{name}` must be a list of lists, one per user. Received: "
            f"{name}={str(value)[:80]!r}"
        )
    value = list(value)
    for i, row in enumerate(value):
        if isinstance(row, (str, bytes, Mapping)) or not isinstance(
            row, Iterable
        ):
            raise TypeError(
                f"`{name}` must be a list of lists, one per user; "
                f"{name}[{i}] is a {type(row).__name__}. Received: "
                f"{name}[{i}]={str(row)[:80]!r}"
            )
    return value


def hashable(value):
    return value if isinstance(value, Hashable) else repr(value)
