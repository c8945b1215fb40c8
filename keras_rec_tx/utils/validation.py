"""Argument checks: one style for the whole package.

Each check returns the value (converted to a plain Python type) or raises
a `ValueError` / `TypeError` that names the argument, says what it must be
and shows what was received, in the Keras style:
``"`batch_size` must be an integer >= 1. Received: batch_size=True"``.
`bool` is never accepted where a number is expected (`True` is an `int`
in Python, but `batch_size=True` is a mistake).

Example:

```python
from keras_rec_tx.utils import check_float, check_int

batch_size = check_int("batch_size", 128, minimum=1)
dropout = check_float("dropout", 0.2, minimum=0.0, below=1.0)
```
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any


def _received(name: str, value: Any) -> str:
    return f"Received: {name}={value!r}"


def check_int(
    name: str,
    value: Any,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    allow_none: bool = False,
) -> int | None:
    """`value` as an `int` in `[minimum, maximum]` (either bound optional)."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"`{name}` must be an integer{_range(minimum, maximum)}. "
            + _received(name, value)
        )
    value = int(value)
    if (minimum is not None and value < minimum) or (
        maximum is not None and value > maximum
    ):
        raise ValueError(
            f"`{name}` must be an integer{_range(minimum, maximum)}. "
            + _received(name, value)
        )
    return value


def check_float(
    name: str,
    value: Any,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    above: float | None = None,
    below: float | None = None,
    allow_none: bool = False,
) -> float | None:
    """`value` as a finite `float`; `minimum`/`maximum` are inclusive
    bounds, `above`/`below` exclusive ones."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        bounds = _bounds(minimum, maximum, above, below)
        raise TypeError(
            f"`{name}` must be a number{bounds}. " + _received(name, value)
        )
    value = float(value)
    bad = not math.isfinite(value)
    bad |= minimum is not None and value < minimum
    bad |= maximum is not None and value > maximum
    bad |= above is not None and value <= above
    bad |= below is not None and value >= below
    if bad:
        raise ValueError(
            f"`{name}` must be a finite number"
            f"{_bounds(minimum, maximum, above, below)}. "
            + _received(name, value)
        )
    return value


def check_bool(name: str, value: Any) -> bool:
    """`value` as a `bool`; only `True`/`False` (and numpy bools) pass."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    raise TypeError(
        f"`{name}` must be True or False. " + _received(name, value)
    )


def check_choice(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """`value` if it is one of `choices`."""
    choices = tuple(choices)
    if value not in choices:
        raise ValueError(
            f"`{name}` must be one of {choices}. " + _received(name, value)
        )
    return value


def check_int_list(
    name: str, values: Any, *, minimum: int | None = None
) -> list[int]:
    """A non-empty list or tuple of integers, each `>= minimum`."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(
            f"`{name}` must be a list of integers. " + _received(name, values)
        )
    values = list(values)
    if not values:
        raise ValueError(
            f"`{name}` must not be empty. " + _received(name, values)
        )
    return [
        check_int(f"{name}[{i}]", v, minimum=minimum)
        for i, v in enumerate(values)
    ]


def _range(minimum: Any, maximum: Any) -> str:
    if minimum is not None and maximum is not None:
        return f" in [{minimum}, {maximum}]"
    if minimum is not None:
        return f" >= {minimum}"
    if maximum is not None:
        return f" <= {maximum}"
    return ""


def _bounds(minimum: Any, maximum: Any, above: Any, below: Any) -> str:
    parts = []
    if minimum is not None:
        parts.append(f">= {minimum}")
    if above is not None:
        parts.append(f"> {above}")
    if maximum is not None:
        parts.append(f"<= {maximum}")
    if below is not None:
        parts.append(f"< {below}")
    return f" ({' and '.join(parts)})" if parts else ""
