"""Statistics over seeds: mean ± sd, the noise rule, `real?`, CPU share.

A difference of two means is "real" only when it exceeds the noise
2 * sqrt(std_a^2 / n_a + std_b^2 / n_b); a run pinned to one CPU that got
much less of it than its backend's runs usually do shared its CPU (its
times are inflated).
"""

from __future__ import annotations

import collections
import dataclasses
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from benchmarks import suites

BACKENDS = ("jax", "tensorflow", "torch")


def mean_std(values: Sequence[float]) -> tuple[float | None, float | None]:
    """Mean and sample standard deviation (ddof 1; None below 2 values)."""
    values = [float(v) for v in values if v is not None]
    if not values:
        return None, None
    mean = float(np.mean(values))
    std = float(np.std(values, ddof=1)) if len(values) > 1 else None
    return mean, std


def noise(
    std_a: float | None, n_a: int, std_b: float | None, n_b: int
) -> float | None:
    """2 * sqrt(std_a^2 / n_a + std_b^2 / n_b); None without two seeds."""
    if std_a is None or std_b is None or n_a < 2 or n_b < 2:
        return None
    return 2.0 * math.sqrt(std_a**2 / n_a + std_b**2 / n_b)


def is_real(delta: float, noise_value: float | None) -> str:
    """'yes' only when |delta| exceeds the noise."""
    if noise_value is None:
        return "n/a (< 2 seeds)"
    return "yes" if abs(delta) > noise_value else "no"


@dataclasses.dataclass
class Summary:
    runs: list[dict[str, Any]]

    @property
    def n(self) -> int:
        return len(self.runs)

    @property
    def seeds(self) -> list[int]:
        return [int(r.get("seed", 0)) for r in self.runs]

    def metric(self, name: str) -> tuple[float | None, float | None]:
        return mean_std([r.get("test", {}).get(name) for r in self.runs])

    def field(self, name: str) -> float | None:
        return mean_std([r.get(name) for r in self.runs])[0]


def summarize(
    index: dict[tuple, list],
    preset: str,
    dataset: str,
    protocol: str,
    tag: str,
    backend: str,
) -> Summary | None:
    runs = index.get((preset, dataset, protocol, tag, backend))
    return Summary(runs) if runs else None


def pick_backend(
    index: dict[tuple, list], keys: Iterable[tuple[str, str, str, str]]
) -> str | None:
    """The backend with the most runs of `keys` on today's batches (not
    bucketed without token weighting), then with the most runs (ties: jax,
    tf, torch). So a table moves to the backend its comparison is being
    rerun on as soon as those runs exist."""
    current, total = collections.Counter(), collections.Counter()
    keys = [tuple(key) for key in keys]
    for full_key, runs in index.items():
        if full_key[:4] in keys:
            total[full_key[4]] += len(runs)
            current[full_key[4]] += sum(
                not suites.trained_without_token_weighting(r) for r in runs
            )
    if not total:
        return None
    order = list(BACKENDS) + sorted(set(total) - set(BACKENDS))
    return max(order, key=lambda b: (current[b], total[b], -order.index(b)))


# Median CPU share (CPU seconds per wall second of training) of each
# backend's one-CPU runs, filled by index_runs(). TensorFlow's one-thread
# runs use less of their core than jax and torch even when nothing else
# runs there, so a run is judged against its own backend.
TYPICAL_CPU_SHARE: dict[str, float] = {}


def one_cpu_share(run: dict[str, Any]) -> float | None:
    """A run's CPU share if it was pinned to one CPU (recorded since
    2026-11-27; runs on several CPUs are not judged: a job there need not
    use them all)."""
    if (run.get("machine") or {}).get("cpus_available") != 1:
        return None
    return run.get("fit_cpu_per_wall_second")


def shared_its_cpu(run: dict[str, Any], threshold: float = 0.85) -> bool:
    """Whether a one-CPU run got less than `threshold` times the usual
    share of its backend's one-CPU runs (1.0 with fewer than 3 of them)."""
    share = one_cpu_share(run)
    typical = TYPICAL_CPU_SHARE.get(run.get("backend"), 1.0)
    return share is not None and share < threshold * typical
