"""Moving averages of a validation curve, shared by time_to_quality.py and
recbole_sasrec.py (which runs in RecBole's own environment: standard
library only here).

    >>> round(best_moving_average([0.1, 0.2, 0.3, 0.2]), 4)
    0.2333
    >>> first_reaching([0.1, 0.2, 0.3, 0.2], 0.2)[0]
    2
"""

from __future__ import annotations

from collections.abc import Sequence


def moving_averages(curve: Sequence[float], window: int = 3) -> list[float]:
    """Mean of each `window` consecutive values; entry i ends at epoch
    index `i + window - 1`."""
    return [
        sum(curve[i : i + window]) / window
        for i in range(len(curve) - window + 1)
    ]


def best_moving_average(
    curve: Sequence[float], window: int = 3
) -> float | None:
    """Highest `window`-epoch moving average, `None` if too few epochs."""
    return max(moving_averages(curve, window), default=None)


def first_reaching(
    curve: Sequence[float], target: float, window: int = 3
) -> tuple[int, float] | None:
    """(index into `curve` of the epoch that ends the first window whose
    mean is at least `target`, that mean), or `None`."""
    for i, average in enumerate(moving_averages(curve, window)):
        if average >= target:
            return i + window - 1, average
    return None
