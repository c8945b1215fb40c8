"""Section 7: scale (`benchmarks/scale.py`): a 10M-item catalogue, a
100M-interaction log, ML-20M-sized training throughput."""

from __future__ import annotations

from typing import Any

from benchmarks.report.sections.speed import UNCONFIRMED_NOTE, unconfirmed
from benchmarks.report.tables import NOT_RUN, fmt, fmt_int, table
from benchmarks.report.text import prose


def scale_section(
    results: list[dict[str, Any]], presets: dict[str, Any] | None = None
) -> list[str]:
    """Section 7; `presets` (the zoo as it is now) marks a training row
    timed with an earlier definition of its preset, as section 4 does."""
    by_part: dict[str, list[dict[str, Any]]] = {}
    for result in results:
        by_part.setdefault(result.get("part", "?"), []).append(result)
    out = ["## 7. Scale", "", prose("scale", "intro"), ""]
    out += _recommend(by_part.get("recommend", []))
    out += _long_log(by_part.get("long_log", []))
    out += _training(by_part.get("training", []), presets)
    return out


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 60


def _yes_no(value: Any) -> str:
    return "—" if value is None else ("yes" if value else "no")


def _source(results: list[dict[str, Any]]) -> str:
    parts = [
        f"`{r['_file']}` (`{r.get('command')}`, {r.get('date')}, load "
        f"{fmt(r.get('load_average_start', [None])[0], 1)} → "
        f"{fmt(r.get('load_average_end', [None])[0], 1)})"
        for r in results
    ]
    return "_Source: " + "; ".join(parts) + "._"


def _recommend(results: list[dict[str, Any]]) -> list[str]:
    out = ["### A 10M-item catalogue: top-k recommendations", ""]
    if not results:
        return out + [NOT_RUN, ""]
    rows = []
    for r in results:
        s = r["settings"]
        rows.append(
            [
                r["backend"],
                f"`{s['preset']}`",
                fmt_int(s["num_items"]),
                str(s["d_model"]),
                fmt(r["item_table_gb"], 2),
                fmt_int(s["users"]),
                str(s["k"]),
                fmt(r["stages"]["build"]["seconds"], 0),
                fmt(r["users_per_s"], 2),
                fmt(r.get("users_per_cpu_s"), 2),
                fmt(r["peak_rss_gb"], 2),
                fmt(r["targets"]["peak_rss_gb"], 2),
                _yes_no(r.get("meets_target")),
            ]
        )
    header = [
        "backend",
        "preset",
        "items",
        "d",
        "item table GB",
        "users",
        "k",
        "build s",
        "users/s",
        "users per CPU-s",
        "peak RSS GB",
        "target GB",
        "meets target",
    ]
    return out + [
        prose("scale", "recommend"),
        "",
        table(header, rows),
        "",
        _source(results),
        "",
    ]


def _long_log(results: list[dict[str, Any]]) -> list[str]:
    out = ["### A 100M-interaction log: build, split, batches", ""]
    if not results:
        return out + [NOT_RUN, ""]
    targets = results[0]["targets"]
    rows = []
    for r in results:
        stages = r["stages"]
        rows.append(
            [
                fmt_int(r["interactions"]),
                fmt_int(r["users"]),
                fmt_int(r["items"]),
                r["settings"]["input_order"],
                fmt(stages["build"]["seconds"], 1),
                fmt(stages["split"]["seconds"], 2),
                fmt(r["build_and_split_seconds"], 1),
                fmt(r.get("build_and_split_cpu_seconds"), 1),
                fmt(stages["batches"]["seconds"], 1),
                fmt(r["peak_rss_gb"], 2),
                _yes_no(r.get("meets_target")),
            ]
        )
    header = [
        "interactions",
        "users",
        "items",
        "input order",
        "build s",
        "split s",
        "build + split s",
        "build + split CPU s",
        "batches s",
        "peak RSS GB",
        "meets targets",
    ]
    return out + [
        prose(
            "scale",
            "long_log",
            seconds=targets["build_and_split_seconds"],
            gigabytes=targets["peak_rss_gb"],
        ),
        "",
        table(header, rows),
        "",
        _source(results),
        "",
    ]


def _training(
    results: list[dict[str, Any]], presets: dict[str, Any] | None
) -> list[str]:
    out = ["### ML-20M-sized training throughput", ""]
    if not results:
        return out + [NOT_RUN, ""]
    rows, marked = [], False
    for r in results:
        s, t = r["settings"], r["training"]
        # speed.time_training's row, as section 4 marks it.
        mark = unconfirmed({"preset": s["preset"], **t}, presets)
        marked = marked or bool(mark)
        rows.append(
            [
                r["backend"],
                f"`{s['preset']}`{mark}",
                f"{fmt_int(s['users'])} / {fmt_int(s['items'])} / "
                f"{fmt_int(s['interactions'])}",
                str(s["max_len"]),
                str(t["jit_compile"]),
                str(t["steps"]),
                fmt_int(r["real_tokens_per_s"]),
                fmt_int(r.get("real_tokens_per_cpu_s")),
                fmt_int(r["epoch_real_tokens"]),
                fmt_int(r["epoch_batches"]),
                fmt(r["epoch_seconds_estimated"] / 60, 1),
                fmt(_minutes(r.get("epoch_cpu_seconds_estimated")), 1),
            ]
        )
    header = [
        "backend",
        "preset",
        "users / items / interactions",
        "max_len",
        "jit_compile",
        "timed steps",
        "real tokens/s",
        "real tokens per CPU-s",
        "epoch real tokens",
        "epoch batches",
        "epoch minutes (extrapolated)",
        "epoch CPU minutes (extrapolated)",
    ]
    return out + [
        prose("scale", "training"),
        "",
        table(header, rows),
        "",
        *([UNCONFIRMED_NOTE, ""] if marked else []),
        _source(results),
        "",
    ]
