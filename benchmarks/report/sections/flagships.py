"""Section 0: the flagships against their targets and the rest of the zoo."""

from __future__ import annotations

from typing import Any

from benchmarks.report.stats import Summary
from benchmarks.report.tables import (
    NOT_RUN,
    cost_cells,
    fmt,
    metric_cells,
    source_note,
    table,
)
from benchmarks.report.targets import (
    BEAT_MIN_SEEDS,
    FLAGSHIP_TARGETS,
    FLAGSHIP_TIE,
)
from benchmarks.report.text import prose

METRICS = ("recall@10", "ndcg@10")
NAMES = {"recall@10": "HR@10", "ndcg@10": "NDCG@10"}


def _on_cpu(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in runs if not r.get("machine", {}).get("accelerator")]


def _best_other(
    index: dict[tuple, list], target: dict, settled: bool = True
) -> tuple | None:
    """(mean NDCG@10, preset, backend, n) of the best other untagged preset
    with at least BEAT_MIN_SEEDS CPU runs on the target's data (with
    `settled=False`: with some CPU runs, but fewer)."""
    best = None
    for (preset, dataset, protocol, tag, backend), runs in index.items():
        if tag or preset == target["preset"]:
            continue
        if (dataset, protocol) != (target["dataset"], target["protocol"]):
            continue
        s = Summary(_on_cpu(runs))
        mean = s.metric("ndcg@10")[0]
        if mean is None or not s.n or (s.n >= BEAT_MIN_SEEDS) != settled:
            continue
        candidate = (mean, preset, backend, s.n)
        best = max(best or candidate, candidate)
    return best


def flagship_section(index: dict[tuple, list]) -> list[str]:
    """One row per flagship and backend: quality, cost, target, rank."""
    out = [
        "## 0. The flagships",
        "",
        prose("beat", "flagships", min_seeds=BEAT_MIN_SEEDS, tie=FLAGSHIP_TIE),
        "",
    ]
    header = ["data", "flagship", "backend", "n", "HR@10", "NDCG@10"]
    header += ["epochs", "train s", "real tokens/s", "target", "target met?"]
    header += ["best other preset (NDCG@10)", "best in the zoo?"]
    rows, used = [], []
    for target in FLAGSHIP_TARGETS:
        data = f"{target['dataset']}, {target['protocol']}"
        goal = ", ".join(
            f"{NAMES[name]} ≥ {target[name]}"
            for name in METRICS
            if name in target
        )
        other = _best_other(index, target)
        # A preset still short of BEAT_MIN_SEEDS runs can not be ranked,
        # but while it leads, the flagship is not called the best.
        pending = _best_other(index, target, settled=False)
        other_text = (
            "—"
            if other is None
            else f"`{other[1]}` ({other[2]}) {fmt(other[0])}"
        )
        keys = [
            key
            for key in index
            if key[:4]
            == (target["preset"], target["dataset"], target["protocol"], "")
        ]
        if not keys:
            rows.append(
                [data, f"`{target['preset']}`", NOT_RUN, "0"]
                + ["—"] * 5
                + [goal, "no", other_text, "—"]
            )
            continue
        for key in sorted(keys, key=lambda k: -len(index[k])):
            runs = _on_cpu(index[key])
            s = Summary(runs)
            used += runs
            means = {name: s.metric(name)[0] for name in METRICS}
            stopped = sum(bool(r.get("stopped_by_time_limit")) for r in runs)
            met = (
                s.n >= BEAT_MIN_SEEDS
                and not stopped
                and all(
                    means[name] is not None and means[name] >= target[name]
                    for name in METRICS
                    if name in target
                )
            )
            verdict = "**yes**" if met else "no"
            if s.n < BEAT_MIN_SEEDS:
                verdict += f" (n < {BEAT_MIN_SEEDS})"
            if stopped:
                verdict += f" ({stopped} stopped by a time limit)"
            ndcg = means["ndcg@10"]
            if other is None or ndcg is None or s.n < BEAT_MIN_SEEDS:
                best = "—"
            elif ndcg < other[0] - FLAGSHIP_TIE:
                best = "no"
            elif pending and ndcg < pending[0] - FLAGSHIP_TIE:
                best = (
                    f"open: `{pending[1]}` ({pending[2]}) leads with "
                    f"{fmt(pending[0])} over {pending[3]} run(s)"
                )
            else:
                best = "**yes**"
            rows.append(
                [data, f"`{target['preset']}`", key[4], str(s.n)]
                + metric_cells(s, METRICS)
                + cost_cells(s)
                + [goal, verdict, other_text, best]
            )
    out += [table(header, rows), "", source_note(used), ""]
    return out
