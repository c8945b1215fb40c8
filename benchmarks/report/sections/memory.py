"""Section 4, peak memory of the training runs and of time to quality."""

from __future__ import annotations

import collections
from typing import Any

import numpy as np

from benchmarks.report.stats import BACKENDS
from benchmarks.report.tables import NOT_RUN, fmt_int, table
from benchmarks.report.text import prose


def memory_section(
    runs: list[dict[str, Any]], time_to_quality: list[dict[str, Any]]
) -> list[str]:
    """Peak resident memory per dataset, protocol, backend and machine."""
    out = [
        "### Peak memory of a training run",
        "",
        prose("speed", "memory"),
        "",
    ]
    groups = collections.defaultdict(list)
    for run in runs:
        if run.get("peak_rss_mb") is None:
            continue
        machine = run.get("machine") or {}
        where = machine.get("accelerator") or "CPU only"
        key = (run["dataset"], run["protocol"], run.get("backend"), where)
        groups[key].append(run)
    order = {b: i for i, b in enumerate(BACKENDS)}
    header = [
        "dataset",
        "protocol",
        "backend",
        "accelerator",
        "runs",
        "median MB",
        "largest MB (preset, tag)",
    ]
    rows = []
    for key in sorted(groups, key=lambda k: (k[0], k[1], order.get(k[2], 9))):
        group = groups[key]
        rss = [r["peak_rss_mb"] for r in group]
        top = group[int(np.argmax(rss))]
        rows.append(
            [
                *key,
                str(len(group)),
                fmt_int(float(np.median(rss))),
                f"{fmt_int(max(rss))} (`{top['preset']}`, "
                f"{top.get('tag') or 'untagged'})",
            ]
        )
    out += [table(header, rows) if rows else NOT_RUN, ""]
    timed = [r for r in time_to_quality if r.get("peak_rss_mb") is not None]
    if timed:
        out += [
            "Time-to-quality runs (section 5): "
            + "; ".join(
                f"`{r['_file']}` {fmt_int(r['peak_rss_mb'])} MB" for r in timed
            )
            + ".",
            "",
        ]
    return out
