"""Section 4, compile time of a short fit (`benchmarks/compile_time.py`)."""

from __future__ import annotations

from typing import Any

from benchmarks.report.stats import BACKENDS
from benchmarks.report.tables import NOT_RUN, fmt, machine_text, table
from benchmarks.report.text import prose

CACHE_ORDER = {None: 0, "off": 1, "cold": 2, "warm": 3}


def compile_time_section(results: list[dict[str, Any]]) -> list[str]:
    """Compile seconds and their share of a short fit, per backend."""
    results = [r for r in results if r.get("benchmark") == "compile_time"]
    out = ["### Compile time of a short fit", ""]
    if not results:
        return out + [
            NOT_RUN + ": `KERAS_BACKEND=<backend> python -m "
            "benchmarks.compile_time`.",
            "",
        ]
    target = results[0]["target_share"]
    out += [
        prose(
            "speed",
            "compile_time",
            target=f"{100 * target:.0f}%",
            epochs=results[0]["epochs"],
            preset=results[0]["preset"],
            dataset=results[0]["dataset"],
        ),
        "",
    ]
    header = [
        "backend",
        "JAX cache",
        "train / valid shapes",
        "epoch 1 train / valid s",
        "steady train / valid s",
        "compile s",
        "fit s",
        "compile share",
        f"<= {100 * target:.0f}%",
        "compile share of CPU s",
        "CPU s per wall s",
    ]
    rows = []
    order = {b: i for i, b in enumerate(BACKENDS)}
    for r in sorted(
        results,
        key=lambda r: (order.get(r["backend"], 9), CACHE_ORDER[r["jax_cache"]]),
    ):
        first = r["epoch_seconds"][0]
        rows.append(
            [
                r["backend"],
                r["jax_cache"] or "—",
                f"{len(r['train_shapes'])} / {len(r['valid_shapes'])}",
                f"{fmt(first['train_s'], 1)} / {fmt(first['valid_s'], 1)}",
                f"{fmt(r['steady_train_s'], 1)} / "
                f"{fmt(r['steady_valid_s'], 1)}",
                fmt(r["compile_s"], 1),
                fmt(r["fit_s"], 1),
                f"{100 * r['compile_share']:.0f}%",
                "yes" if r["meets_target"] else "no",
                (
                    f"{100 * r['compile_cpu_share']:.0f}%"
                    if r.get("compile_cpu_share") is not None
                    else "—"
                ),
                fmt(r["fit_cpu_per_wall_second"], 2),
            ]
        )
    out += [table(header, rows), ""]
    out += jax_stage_lines(results)
    out.append(
        "_Source: "
        + "; ".join(
            f"`{r['_file']}` ({r['date']}, `{r['command']}`, batch shapes "
            f"train {r['train_shapes']}, valid {r['valid_shapes']}, "
            f"{machine_text(r.get('machine'))})"
            for r in results
        )
        + "._"
    )
    return out + [""]


STAGE_TEXT = {
    "trace": "tracing",
    "lower": "lowering to MLIR",
    "xla_compile_or_cache_read": "XLA compiling (or reading the cache)",
}


def jax_stage_lines(results: list[dict[str, Any]]) -> list[str]:
    """Where JAX's compiling went, per cache state, from the result files
    that recorded JAX's compile events."""
    lines = []
    for r in results:
        stages = r.get("jax_compile_stages")
        if r["backend"] != "jax" or not stages:
            continue
        parts = ", ".join(
            f"{STAGE_TEXT[stage]} {fmt(v['seconds'], 1)} s"
            for stage, v in stages.items()
        )
        programs = stages["xla_compile_or_cache_read"]["programs"]
        lines.append(
            f"- JAX, cache {r['jax_cache']}: {parts}, over {programs} "
            "programs (wall seconds of the whole run, the test "
            "evaluation's programs included)."
        )
    return lines + [""] if lines else []
