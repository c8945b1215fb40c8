"""Section 6: data pipeline build time, memory and padding."""

from __future__ import annotations

import json
import pathlib

from benchmarks.report.tables import NOT_RUN, fmt, table


def data_pipeline_section(path: pathlib.Path) -> list[str]:
    """Data pipeline build time, memory and padding (data_pipeline.py)."""
    out = ["## 6. Data pipeline", ""]
    if not path.exists():
        return out + [NOT_RUN, ""]
    result = json.loads(path.read_text(encoding="utf-8"))
    rows = [
        [
            f"{b['rows']:,}",
            b["input_order"],
            fmt(b["build_and_split_seconds"], 2),
            fmt(b["peak_rss_process_gb"], 2),
        ]
        for b in result["build"]
    ]
    out.append(
        table(
            ["interactions", "input order", "build + split s", "peak RSS GB"],
            rows,
        )
    )
    out += ["", "Padding fraction of one epoch (batch 128, max_len 50):", ""]
    rows = []
    for name, parts in result.get("padding", {}).items():
        if not isinstance(parts, dict) or "train_padded" not in parts:
            continue
        rows.append(
            [name]
            + [
                fmt(parts[k]["padding_fraction"], 3)
                for k in (
                    "train_padded",
                    "train_bucketed",
                    "test_padded",
                    "test_bucketed",
                )
            ]
        )
    out.append(
        table(
            [
                "data",
                "train, padded",
                "train, bucketed",
                "test, padded",
                "test, bucketed",
            ],
            rows,
        )
    )
    out += [
        "",
        f"Targets: {result['targets']}. `{result['command']}`, "
        f"{result['date']}, {result['machine'].get('cpu_count')} CPU cores.",
        "",
    ]
    return out
