"""Section 4: where a training step's time goes (`step_profile.py`)."""

from __future__ import annotations

from typing import Any

from benchmarks.report.tables import NOT_RUN, fmt, table
from benchmarks.report.text import prose


def step_profile_section(results: list[dict[str, Any]]) -> list[str]:
    """Per backend, the share of the kernel time in each category."""
    results = [r for r in results if r.get("benchmark") == "step_profile"]
    out = ["### Where a training step's time goes", ""]
    if not results:
        return out + [
            NOT_RUN + ": `KERAS_BACKEND=<jax|torch> python -m "
            "benchmarks.step_profile`.",
            "",
        ]
    out += [prose("speed", "step_profile"), ""]
    for r in sorted(results, key=lambda r: (r["preset"], r["backend"])):
        batch = " x ".join(str(n) for n in r["batch"])
        out += [
            f"`{r['preset']}` on {r['backend']}, batch {batch}, "
            f"{r['num_items']:,} items: "
            f"{fmt(r['kernel_ms_per_step'], 1)} ms of kernels per step "
            f"(CPU s per wall s while profiled: "
            f"{fmt(r['cpu_per_wall_second'], 2)}).",
            "",
        ]
        rows = [
            [
                c["category"],
                fmt(c["ms_per_step"], 1),
                f"{100 * c['share']:.1f}%",
            ]
            for c in r["categories"]
        ]
        out += [table(["category", "ms per step", "share"], rows), ""]
        top = ", ".join(
            f"`{k['kernel']}` {100 * k['share']:.1f}%"
            for k in r["top_kernels"][:5]
        )
        out += [f"Largest kernels: {top}.", ""]
    out.append(
        "_Source: "
        + "; ".join(
            f"`{r['_file']}` ({r['date']}, `{r['command']}`)" for r in results
        )
        + "._"
    )
    return out + [""]
