"""Section 4: the backends side by side (`benchmarks/speed_rounds.py`)."""

from __future__ import annotations

import collections
import statistics
from typing import Any

from benchmarks.report.sections.speed import (
    UNCONFIRMED_NOTE,
    unconfirmed,
)
from benchmarks.report.tables import NOT_RUN, fmt, fmt_int, table
from benchmarks.report.text import prose

BASE = "tensorflow"
OTHERS = ("jax", "torch")
# Issue 22: JAX and PyTorch within 20% of TensorFlow's real tokens/s.
WITHIN = 0.8
BATCHES = {"full": "full-length batches", "beauty": "Beauty-like batches"}


# PyTorch compiled (`speed_rounds.py --torch_compile`), which Keras' default
# leaves off: its own line, beside the default one.
TORCH_COMPILED = "torch, torch.compile"


def tokens_per_s(
    result: dict[str, Any] | None,
    preset: str,
    lengths: str,
    default: bool = True,
) -> float | None:
    """Real tokens/s of `preset` on `lengths` batches, compiled as Keras
    compiles by default (the run's resolved `jit_compile="auto"`), or in
    the other mode with `default=False`; None if not timed."""
    if result is None:
        return None
    auto = result.get("settings", {}).get("jit_compile_resolved")
    for row in result.get("training", []):
        if (
            row["preset"] == preset
            and row.get("lengths") == lengths
            and row["jit_compile"] == (auto if default else not auto)
        ):
            return row["real_tokens_per_s"]
    return None


def _lines(by_backend: dict[str, Any]) -> list[tuple[str, Any, bool]]:
    """(label, result, compiled as by default?) of one round's lines."""
    lines = [
        (backend, by_backend[backend], True)
        for backend in (BASE, *OTHERS)
        if backend in by_backend
    ]
    torch = by_backend.get("torch")
    if (
        torch
        and not torch.get("settings", {}).get("jit_compile_resolved")
        and any(row["jit_compile"] for row in torch.get("training", []))
    ):
        lines.append((TORCH_COMPILED, torch, False))
    return lines


def speed_rounds_section(
    results: list[dict[str, Any]],
    presets: dict[str, Any] | None = None,
    host: str | None = None,
) -> list[str]:
    """Per round, each backend's tokens/s and its ratio to TensorFlow's;
    then per backend the median ratio, its range and the verdict.
    `presets` marks timings that may be of an earlier definition. `host`
    names the sub-folder of speed_rounds/ that holds the rounds of another
    kind of CPU: its section says so, and is left out until it has any."""
    folder = "benchmarks/results/speed_rounds/" + (f"{host}/" if host else "")
    if host:
        out = [f"### The backends side by side on another CPU (`{host}`)", ""]
    else:
        out = ["### The backends side by side (interleaved rounds)", ""]
    results = [r for r in results if r.get("round") is not None]
    if not results:
        if host:
            return []
        return out + [
            NOT_RUN + ": `python -m benchmarks.speed_rounds --rounds=3`.",
            "",
        ]
    rounds = collections.defaultdict(dict)
    for r in results:
        rounds[r["round"]][r["backend"]] = r
    names = sorted(
        {row["preset"] for r in results for row in r.get("training", [])}
    )
    if host:
        out += [prose("speed", "rounds_host", folder=folder), ""]
    else:
        out += [prose("speed", "rounds", within=f"{WITHIN:.2f}"), ""]
    ratios = collections.defaultdict(list)
    rows, marked = [], False
    for preset in names:
        for index in sorted(rounds):
            by_backend = rounds[index]
            for backend, result, default in _lines(by_backend):
                mark = next(
                    (
                        mark
                        for row in result.get("training", [])
                        if row["preset"] == preset
                        and (mark := unconfirmed(row, presets))
                    ),
                    "",
                )
                marked = marked or bool(mark)
                cells = [f"`{preset}`{mark}", str(index), backend]
                for lengths in BATCHES:
                    mine = tokens_per_s(result, preset, lengths, default)
                    base = tokens_per_s(by_backend.get(BASE), preset, lengths)
                    ratio = mine / base if mine and base else None
                    if ratio is not None and backend != BASE:
                        ratios[preset, backend, lengths].append(ratio)
                    cells += [fmt_int(mine), fmt(ratio, 2)]
                cells.append(fmt(result["peak_gflops"], 1))
                rows.append(cells)
    header = ["preset", "round", "backend"]
    for name in BATCHES.values():
        header += [f"real tokens/s, {name}", "/ TensorFlow"]
    header.append("matmul peak GFLOP/s")
    out += [table(header, rows), ""]
    if marked:
        out += [UNCONFIRMED_NOTE, ""]
    summary = []
    for (preset, backend, lengths), values in sorted(ratios.items()):
        median = statistics.median(values)
        summary.append(
            [
                f"`{preset}`",
                backend,
                BATCHES[lengths],
                str(len(values)),
                fmt(median, 2),
                f"{min(values):.2f} - {max(values):.2f}",
                "**yes**" if median >= WITHIN else "no",
            ]
        )
    header = [
        "preset",
        "backend",
        "batches",
        "rounds",
        "median ratio to TensorFlow",
        "range",
        f"within {100 * (1 - WITHIN):.0f}%?",
    ]
    out += [table(header, summary), ""]
    out += _compile_warmup(results)
    first = min(results, key=lambda r: r["date"])
    last = max(results, key=lambda r: r["date"])
    out.append(
        f"_Source: {len(results)} files under "
        f"`{folder}` ({first['date']} to "
        f"{last['date']}), `{first.get('rounds_command')}`; each run "
        f"`{first['command'].split(' --output')[0]}` (backend as named); "
        f"machine: {first['machine'].get('platform')}, "
        f"{first['machine'].get('cpus_available')} core(s) available to "
        f"each run; 1-min load {fmt(first['load_average_start'][0], 1)} at "
        f"the start._"
    )
    return out + [""]


def _compile_warmup(results: list[dict[str, Any]]) -> list[str]:
    """What torch.compile's speed costs up front: the median untimed
    warm-up (one step per batch length, then a few) of PyTorch compiled
    and eager, per kind of batch, over the rounds."""
    warmup = collections.defaultdict(list)
    for r in results:
        if r["backend"] != "torch":
            continue
        for row in r.get("training", []):
            if row.get("lengths") in BATCHES and "warmup_seconds" in row:
                mode = "compiled" if row["jit_compile"] else "eager"
                key = (mode, row["lengths"], row.get("warmup_steps"))
                warmup[key].append(row["warmup_seconds"])
    if not any(key[0] == "compiled" for key in warmup):
        return []
    parts = [
        f"{mode} on {BATCHES[lengths]}: {statistics.median(values):.0f} s "
        f"for {steps} steps"
        for (mode, lengths, steps), values in sorted(warmup.items())
    ]
    return [
        "PyTorch's untimed warm-up (one step per distinct batch length, "
        "then the warm-up steps; under torch.compile it holds the "
        "compilation), median over the rounds: " + "; ".join(parts) + ".",
        "",
    ]
