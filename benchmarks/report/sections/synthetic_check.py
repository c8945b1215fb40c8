"""Section 0, the flagship's variants on a log outside the benchmark set
(`benchmarks/synthetic_check.py`)."""

from __future__ import annotations

import json
from typing import Any

from benchmarks.report.tables import NOT_RUN, fmt, machine_text, table
from benchmarks.report.text import prose


def synthetic_check_section(results: list[dict[str, Any]]) -> list[str]:
    """Validation and test NDCG@10 of each variant, best validation first."""
    results = [r for r in results if r.get("benchmark") == "synthetic_check"]
    out = ["### The flagship's recipe on a log outside the benchmark set", ""]
    if not results:
        return out + [
            NOT_RUN + ": `KERAS_BACKEND=jax python -m "
            "benchmarks.synthetic_check`.",
            "",
        ]
    out += [prose("beat", "synthetic_check"), ""]
    rows = []
    for r in sorted(results, key=lambda r: -r["best_val_ndcg@10"]):
        changes = {**r["variant_overrides"], **r["variant_training_overrides"]}
        rows.append(
            [
                f"`{r['preset']}` {r['variant']}",
                f"`{json.dumps(changes)}`" if changes else "the preset",
                r["backend"],
                fmt(r["best_val_ndcg@10"]),
                f"{r['epochs_run']} (best {r['best_epoch']})",
                fmt(r["test"]["ndcg@10"]),
                fmt(r["test"]["recall@10"]),
                fmt(r["train_seconds"], 0),
            ]
        )
    header = [
        "variant",
        "changes",
        "backend",
        "validation NDCG@10",
        "epochs",
        "test NDCG@10",
        "test Recall@10",
        "train s",
    ]
    out += [table(header, rows), ""]
    # Variants may be run by several commands, on several machines.
    commands = sorted({f"`{r['command']}`" for r in results})
    machines = sorted({machine_text(r.get("machine")) for r in results})
    out.append(
        f"_Source: {len(results)} files under `benchmarks/results/synthetic/`"
        f" ({min(r['date'] for r in results)} to "
        f"{max(r['date'] for r in results)}), {', '.join(commands)}; "
        f"{'; '.join(machines)}._"
    )
    return out + [""]
