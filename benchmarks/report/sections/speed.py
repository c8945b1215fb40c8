"""Section 4: speed (`benchmarks/speed.py`, `benchmarks/gpu_throughput.py`).

Training throughput and MFU per preset and backend, compilation modes,
RMSNorm vs LayerNorm, evaluation throughput and the GPU runs.
"""

from __future__ import annotations

from typing import Any

from benchmarks.redefinition import preset_differences
from benchmarks.report.stats import BACKENDS
from benchmarks.report.tables import NOT_RUN, fmt, fmt_int, machine_text, table
from benchmarks.report.text import prose

# Marks a timing that may not be of its preset as it is now.
UNCONFIRMED = "†"
UNCONFIRMED_NOTE = (
    f"{UNCONFIRMED} timed with an earlier definition of the preset, or "
    "before `benchmarks/speed.py` recorded what it timed: rerun it for the "
    "preset as it is now."
)


def unconfirmed(row: dict[str, Any], presets: dict[str, Any] | None) -> str:
    """`UNCONFIRMED` when a timed row (`speed.py`'s "training" rows) may
    not be its preset as defined now: it recorded no definition, or one
    that `benchmarks.redefinition.preset_differences` finds changed; ""
    otherwise, and when no `presets` are given."""
    if presets is None:
        return ""
    preset = presets.get(row["preset"])
    if preset is None or "architecture" not in row:
        return UNCONFIRMED
    return UNCONFIRMED if preset_differences(row, preset) else ""


def speed_section(
    speed: list[dict],
    gpu: list[dict],
    presets: dict[str, Any] | None = None,
) -> list[str]:
    """Section 4's per-preset tables; `presets` (the zoo as it is now)
    marks timings that may be of an earlier definition (`unconfirmed`)."""
    marked = False
    out = [
        "## 4. Speed",
        "",
        prose("speed", "intro", num_items=catalogue_size(speed)),
        "",
    ]
    by_backend = {s.get("backend"): s for s in speed}
    # Summary: real tokens/s per preset and backend (main table).
    names = sorted(
        {
            r["preset"]
            for s in speed
            for r in s.get("training", [])
            if r.get("table") == "main"
        }
    )
    header = ["preset"] + [f"{b} tokens/s" for b in BACKENDS]
    header += [f"{b} MFU" for b in BACKENDS]
    lines = []
    for preset in names or ["(any)"]:
        cells, mfus = [f"`{preset}`"], []
        for backend in BACKENDS:
            row = _speed_row(by_backend.get(backend), preset, "main")
            mark = "" if row is None else unconfirmed(row, presets)
            marked = marked or bool(mark)
            cells.append(
                NOT_RUN
                if row is None
                else fmt_int(row["real_tokens_per_s"]) + mark
            )
            mfus.append(NOT_RUN if row is None else f"{100 * row['mfu']:.2f}%")
        lines.append(cells + mfus)
    out += [
        "### Training throughput per preset (real tokens/s)",
        "",
        table(header, lines),
        "",
    ]
    if marked:
        out += [UNCONFIRMED_NOTE, ""]
    out += [_speed_source(speed, short=False), ""]
    # Details per backend.
    header = [
        "backend",
        "preset",
        "jit_compile",
        "lengths",
        "step ms (median)",
        "real tokens/s",
        "computed tokens/s",
        "MFLOP/token (L=max)",
        "model GFLOP/s",
        "MFU",
        "useful MFU",
    ]

    def mode_rows(backend, s):
        for row in s.get("training", []):
            if row.get("table") == "main" and row["preset"] not in (
                "rope_swiglu",
                "sasrec_plus",
                "sasrec",
            ):
                continue
            yield [
                backend,
                f"`{row['preset']}`{unconfirmed(row, presets)}",
                str(row["jit_compile"]),
                row.get("lengths", "?"),
                f"{row['step_ms_median']:.1f}",
                fmt_int(row["real_tokens_per_s"]),
                fmt_int(row["computed_tokens_per_s"]),
                f"{row['flops_per_token_at_max_len']['total'] / 1e6:.3f}",
                f"{row['model_gflops_per_s']:.2f}",
                f"{100 * row['mfu']:.2f}%",
                f"{100 * row['useful_mfu']:.2f}%",
            ]

    lines = _per_backend(by_backend, len(header), mode_rows)
    out += _part(
        "### Compilation modes and padding (selected presets)",
        "modes",
        header,
        lines,
        speed,
    )
    # Matmul peak, norms, evaluation.
    header = [
        "backend",
        "matmul peak GFLOP/s (start / end)",
        "RMSNorm ms",
        "LayerNorm ms",
        "RMSNorm / LayerNorm",
        "shape",
    ]

    def norm_rows(backend, s):
        peak = (
            f"{s['matmul_peak']['gflops']:.1f} / "
            f"{s.get('matmul_peak_end', {}).get('gflops', float('nan')):.1f}"
            f" (n={s['matmul_peak']['n']})"
        )
        for row in s.get("norm", []):
            yield [
                backend,
                peak,
                f"{row['rmsnorm_ms']:.3f}",
                f"{row['layernorm_ms']:.3f}",
                f"{row['rmsnorm_over_layernorm']:.2f}",
                "x".join(map(str, row["shape"])),
            ]

    lines = _per_backend(by_backend, len(header), norm_rows)
    out += _part(
        "### Matmul peak and RMSNorm vs LayerNorm",
        "norms",
        header,
        lines,
        speed,
    )
    header = [
        "backend",
        "preset",
        "jit_compile",
        "catalogue",
        "users",
        "users/s",
    ]

    def eval_rows(backend, s):
        evals = s.get("eval", [])
        for row in [evals] if isinstance(evals, dict) else evals:
            yield [
                backend,
                f"`{row['preset']}`",
                str(row.get("jit_compile", "?")),
                fmt_int(row["num_items"]),
                fmt_int(row["users"]),
                fmt_int(row["users_per_s"]),
            ]

    lines = _per_backend(by_backend, len(header), eval_rows)
    out += _part(
        "### Full-catalogue evaluation throughput",
        "evaluation",
        header,
        lines,
        speed,
    )
    out += gpu_throughput_part(gpu)
    return out


def gpu_throughput_part(gpu: list[dict]) -> list[str]:
    """The GPU throughput table: one row per configuration of
    `benchmarks/gpu_throughput.py` (`--sweep` writes one file each), the
    baseline of each backend and device first, with the ratio of every
    row's tokens/s to that baseline's."""
    out = ["### GPU throughput (`benchmarks/gpu_throughput.py`)", ""]
    out.append(prose("speed", "gpu"))
    out.append("")
    header = [
        "backend",
        "device",
        "run",
        "preset",
        "model",
        "settings",
        "step ms",
        "tokens/s",
        "x baseline",
        "MFU",
        "peak memory GB",
        "date",
    ]
    smoke = [g for g in gpu if g.get("smoke")]
    gpu = sorted(
        (g for g in gpu if not g.get("smoke")),
        key=lambda g: (
            g.get("backend", "?"),
            g.get("device", "?"),
            _gpu_run_order(g),
        ),
    )
    baselines = {
        (g.get("backend"), g.get("device")): g
        for g in gpu
        if g.get("name", "baseline") == "baseline"
        and g.get("status", "ok") == "ok"
    }
    lines = []
    for g in gpu:
        cfg = dict(g.get("config", {}))
        cfg.pop("batch_size", None)
        ok = g.get("status", "ok") == "ok"
        base = baselines.get((g.get("backend"), g.get("device")))
        ratio = (
            g["tokens_per_s"] / base["tokens_per_s"]
            if ok and base and g.get("tokens_per_s")
            else None
        )
        memory = g.get("peak_memory_bytes")
        lines.append(
            [
                g.get("backend", "?"),
                g.get("device", "?"),
                g.get("name", "baseline"),
                f"`{g.get('preset', '?')}`",
                ", ".join(f"{k} {v}" for k, v in cfg.items()) or "—",
                _gpu_settings(g),
                f"{g['step_ms_median']:.1f}" if ok else "—",
                fmt_int(g.get("tokens_per_s"))
                if ok
                else f"{g.get('status')}: {g.get('error', '?')}"[:120],
                "—" if ratio is None else f"{ratio:.2f}",
                _gpu_mfu(g) if ok else "—",
                "—" if not ok or memory is None else f"{memory / 1e9:.1f}",
                g.get("date", "?"),
            ]
        )
    if not lines:
        lines.append([NOT_RUN] + ["—"] * (len(header) - 1))
    out += [table(header, lines), ""]
    if gpu:
        out.append(
            "_Source: "
            + ", ".join(
                f"`{g['_file']}` (`{g.get('command', '?')}`)" for g in gpu
            )
            + "._"
        )
    else:
        out.append(
            "_Source: no files under benchmarks/results/gpu/ yet (this "
            "machine has no GPU); run `python -m benchmarks.gpu_throughput` "
            "on one._"
            + (
                f" ({len(smoke)} `--smoke` test files ignored.)"
                if smoke
                else ""
            )
        )
    out.append("")
    return out


def _gpu_mfu(result: dict) -> str:
    """MFU, or why it is not one: a peak probe slower than the model's own
    matmuls (XLA without GEMM autotuning can pick a slow kernel for the
    probe's shape) is no peak, and a ratio above 100% says nothing."""
    mfu = result.get("mfu")
    if mfu is None:
        return "—"
    probe = result.get("matmul_peak", {})
    peak = probe.get("gflops", 0) / 1e3
    n = probe.get("n", "?")
    if mfu > 1:
        model = result.get("model_tflops_per_s", 0)
        return f"n/a (probe n {n}: {peak:.1f} < model {model:.1f} TFLOP/s)"
    return f"{100 * mfu:.1f}% of {peak:.0f} TFLOP/s (n {n})"


def _gpu_run_order(result: dict) -> tuple[int, str]:
    """The sweep's order (baseline first), other names after."""
    from benchmarks.gpu_throughput import SWEEP

    name = result.get("name", "baseline")
    order = list(SWEEP)
    return (order.index(name) if name in order else len(order), name)


def _gpu_settings(result: dict) -> str:
    """The levers of one run, in words (a file from before the levers
    were recorded gives its dtype policy and batch size only)."""
    s = result.get("settings")
    batch = result.get("config", {}).get("batch_size", "?")
    if not s and result.get("requested"):  # a run that did not finish
        return "requested: " + ", ".join(
            f"{k} {v}"
            for k, v in result["requested"].items()
            if v not in (None, "", "auto")
        )
    if not s:
        return f"{result.get('dtype_policy', '?')}, batch {batch}"
    parts = [
        f"{s['dtype_policy']} (compute {s['compute_dtype']}, loss "
        f"{s['loss_dtype']})",
        f"batch {s['batch_size']}",
        f"dropout {s['dropout']:g}",
        "attention: " + s["attention_path"],
    ]
    if s.get("flash_attention_requested") is not None:
        parts.append(f"flash_attention={s['flash_attention_requested']}")
    parts.append(f"keras flash check: {s.get('flash_attention_check')}")
    loss = s["loss"]
    negatives = s.get("loss_config", {}).get("num_negatives")
    if negatives is not None:
        share = s["loss_config"].get("share_negatives", "batch")
        loss += f" ({negatives} negatives per {share})"
    parts.append(loss)
    if s.get("xla_flags"):
        parts.append(f"XLA_FLAGS `{s['xla_flags'].strip()}`")
    return ", ".join(parts)


def _speed_row(
    result: dict | None, preset: str, table_name: str
) -> dict | None:
    if not result:
        return None
    for row in result.get("training", []):
        if row["preset"] == preset and row.get("table") == table_name:
            return row
    return None


def _speed_source(speed: list[dict], short: bool = True) -> str:
    if not speed:
        return (
            "_Source: no files under benchmarks/results/speed/ yet; run "
            "`KERAS_BACKEND=<backend> python -m benchmarks.speed`._"
        )
    if short:
        return (
            "_Source: "
            + ", ".join(f"`{s['_file']}` ({s.get('date')})" for s in speed)
            + " (commands, settings and machine: see the first table)._"
        )
    parts = []
    for s in speed:
        load = s.get("load_average_start", [None])[0]
        load_end = s.get("load_average_end", [None])[0]
        settings = s.get("settings", {})
        parts.append(
            f"`{s['_file']}` ({s.get('backend')}, {s.get('date')}, "
            f"`{s.get('command')}`, settings {settings}, machine: "
            f"{machine_text(s.get('machine'))}, 1-min load "
            f"{fmt(load, 1)} → {fmt(load_end, 1)})"
        )
    return "_Source: " + "; ".join(parts) + "._"


def catalogue_size(speed: list[dict]) -> str:
    """The catalogue size of the training steps timed (their settings)."""
    sizes = {s.get("settings", {}).get("num_items") for s in speed} - {None}
    return ", ".join(fmt_int(n) for n in sorted(sizes)) or "—"


def _per_backend(by_backend: dict, width: int, rows_of) -> list[list[str]]:
    """Table lines of every backend: `rows_of(backend, summary)` where the
    backend has a speed summary and rows, one "not run" line otherwise."""
    lines = []
    for backend in BACKENDS:
        summary = by_backend.get(backend)
        rows = list(rows_of(backend, summary)) if summary else []
        lines += rows or [[backend, NOT_RUN] + ["—"] * (width - 2)]
    return lines


def _part(title: str, key: str, header: list, lines: list, speed) -> list:
    """A subsection: title, its prose, the table and the source line."""
    return [
        title,
        "",
        prose("speed", key),
        "",
        table(header, lines),
        "",
        _speed_source(speed),
        "",
    ]
