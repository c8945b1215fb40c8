"""Formatting shared by the sections: numbers, tables, cells, notes.

Markdown tables, the "Source:" line under each table, the cells of
metrics and costs of a `Summary`, and the notes of a group of runs.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Iterable, Sequence
from typing import Any

from benchmarks import suites
from benchmarks.report.stats import Summary, mean_std, shared_its_cpu
from keras_rec_tx import preset_schema

NOT_RUN = "not run yet"


def fmt(value: float | None, digits: int = 4) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def fmt_ms(mean: float | None, std: float | None, digits: int = 4) -> str:
    if mean is None:
        return "—"
    if std is None:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def fmt_int(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def fmt_delta(delta: float, noise_value: float | None) -> str:
    if noise_value is None:
        return f"{delta:+.4f}"
    return f"{delta:+.4f} ({noise_value:.4f})"


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |"]
    lines.append("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        lines.append("| " + " | ".join(str(c) for c in row) + " |")
    return "\n".join(lines)


def machine_text(machine: dict[str, Any] | None) -> str:
    if not machine:
        return "unknown machine"
    parts = [str(machine.get("processor", "?"))]
    if machine.get("cpu_model"):  # recorded since 2026-12-01
        isa = machine.get("cpu_vector_isa")
        parts.append(machine["cpu_model"] + (f" ({isa})" if isa else ""))
    if machine.get("cpu_count"):
        parts.append(f"{machine['cpu_count']} CPUs")
    accelerator = machine.get("accelerator") or machine.get("device")
    if accelerator:
        parts.append(str(accelerator))
    parts.append(str(machine.get("platform", "")))
    if machine.get("matmul_probe_gflops"):
        parts.append(f"matmul probe {machine['matmul_probe_gflops']} GFLOP/s")
    versions = [
        f"{k} {machine[k]}"
        for k in ("keras", "jax", "tensorflow", "torch")
        if machine.get(k)
    ]
    return ", ".join(p for p in parts + versions if p)


def _compress_files(files: Iterable[str]) -> list[str]:
    """a__seed0.json, a__seed1.json -> a__seed{0,1}.json."""
    groups: dict[tuple[str, str], list[str]] = collections.defaultdict(list)
    for f in files:
        match = re.match(r"(.*__seed)(\d+)(.*)$", f)
        if match:
            groups[(match.group(1), match.group(3))].append(match.group(2))
        else:
            groups[(f, "")].append("")
    out = []
    for (head, tail), seeds in groups.items():
        if seeds == [""]:
            out.append(head)
        elif len(seeds) == 1:
            out.append(f"{head}{seeds[0]}{tail}")
        else:
            seeds = sorted(seeds, key=int)
            out.append(f"{head}{{{','.join(seeds)}}}{tail}")
    return out


def source_note(runs: Sequence[dict[str, Any]], suite: str = "") -> str:
    """Where the numbers of a table come from."""
    if not runs:
        return (
            "_Source: no result files yet under benchmarks/results/runs/; "
            f"run `python -m benchmarks.run --suite={suite or '<suite>'}`._"
        )
    files = _compress_files(r["_file"] for r in runs)
    commands = sorted({r.get("command", "?") for r in runs})
    seeds = sorted({int(r.get("seed", 0)) for r in runs})
    backends = sorted({r.get("backend", "?") for r in runs})
    machines = sorted({machine_text(r.get("machine")) for r in runs})
    dates = sorted(r.get("date", "?") for r in runs)
    date_text = (
        dates[0] if dates[0] == dates[-1] else (f"{dates[0]} to {dates[-1]}")
    )
    return (
        f"_Source: {len(runs)} result files: "
        + ", ".join(f"`{f}`" for f in files)
        + "; command: "
        + ", ".join(f"`{c}`" for c in commands)
        + f"; seeds {', '.join(map(str, seeds))}; backend "
        + ", ".join(backends)
        + "; machine: "
        + "; ".join(machines)
        + f"; dates {date_text}._"
    )


def label(preset: str, tag: str) -> str:
    return f"`{preset}`" + (f" [{tag}]" if tag else "")


def metric_cells(s: Summary, names: Sequence[str]) -> list[str]:
    return [fmt_ms(*s.metric(name)) for name in names]


def cost_cells(s: Summary) -> list[str]:
    """Epochs, training seconds and real tokens/s. The times are averaged
    over the runs that had their CPU to themselves (`shared_its_cpu`), when
    any did; "(k of n runs)" then says how many that was."""
    epochs = s.field("epochs_run")
    best = s.field("best_epoch")
    epochs_text = "—" if epochs is None else f"{epochs:.1f}"
    if best is not None:
        epochs_text += f" (best {best:.1f})"
    timed = [r for r in s.runs if not shared_its_cpu(r)] or list(s.runs)
    which = f" ({len(timed)} of {s.n} runs)" if len(timed) < s.n else ""
    seconds, _ = mean_std([r.get("train_seconds") for r in timed])
    tokens, _ = mean_std([r.get("real_tokens_per_second") for r in timed])
    cells = [fmt_int(seconds), fmt_int(tokens)]
    return [epochs_text] + [c + which if c != "—" else c for c in cells]


def run_notes(runs: Sequence[dict[str, Any]]) -> str:
    """Notes of the result files, the accelerator, and which runs a time
    limit stopped (their best epoch is the best within the limit)."""
    notes = {r.get("note", "") for r in runs} - {""}
    notes |= {
        f"on {r['machine']['accelerator']}"
        for r in runs
        if r.get("machine", {}).get("accelerator")
    }
    limited = [r for r in runs if r.get("stopped_by_time_limit")]
    if limited:
        epochs = ", ".join(
            f"{r.get('epochs_run')} (best {r.get('best_epoch')})"
            for r in limited
        )
        limits = sorted({f"{r.get('time_limit_s'):g}" for r in limited})
        notes.add(
            f"{len(limited)} of {len(runs)} stopped by the time limit "
            f"({'/'.join(limits)} s) after {epochs} epochs: partial training"
        )
    capped = [
        r
        for r in runs
        if not r.get("stopped_by_time_limit")
        and r.get("epochs_run") == r.get("training", {}).get("epochs")
    ]
    if capped:
        best = ", ".join(str(r.get("best_epoch")) for r in capped)
        notes.add(
            f"{len(capped)} of {len(runs)} ran into the epoch cap "
            f"({capped[0]['epochs_run']}) with the best epoch at {best}"
        )
    # A resumable run records the machine of each process that trained it.
    machines = [r.get("machine", {}) for r in runs] + [
        s.get("machine", {}) for r in runs for s in r.get("segments", [])
    ]
    hosts = {m.get("platform") for m in machines} - {None}
    if len(hosts) > 1:
        notes.add(
            f"trained on {len(hosts)} hosts ({', '.join(sorted(hosts))}), "
            "whose speeds differ: their times do not compare"
        )
    shared = [r for r in runs if shared_its_cpu(r)]
    if shared:
        share = ", ".join(f"{r['fit_cpu_per_wall_second']:.2f}" for r in shared)
        notes.add(
            f"{len(shared)} of {len(runs)} got much less of their one CPU "
            f"than their backend's runs usually do (CPU seconds per wall "
            f"second of training: {share}): the CPU was likely shared, so "
            "their times are inflated"
        )
    redefined = [r for r in runs if r.get("_redefined")]
    if redefined:
        notes.add(
            f"{len(redefined)} of {len(runs)} made with an earlier "
            "definition of the preset ("
            + "; ".join(sorted({d for r in redefined for d in r["_redefined"]}))
            + ")"
        )
    replayed = [r for r in runs if r.get("_replayed")]
    if replayed:
        notes.add(
            f"{len(replayed)} of {len(runs)} ran with "
            + " / ".join(sorted({r["_replayed"] for r in replayed}))
            + ": their validation history, replayed, stops where this "
            "budget's run does at the same best epoch, so they are that "
            "run and are shown cut there (epochs, train s)"
        )
    resumable = [r for r in runs if r.get("resumable")]
    if resumable:
        resumed = sum(len(r.get("segments", [])) > 1 for r in resumable)
        notes.add(
            f"{len(resumable)} of {len(runs)} resumable (`--checkpoint_dir`: "
            "batches in the order drawn from seed and epoch alone), "
            f"{resumed} of them trained over several processes"
        )
    unweighted = [r for r in runs if suites.trained_without_token_weighting(r)]
    if unweighted:
        notes.add(
            f"{len(unweighted)} of {len(runs)} trained on bucketed batches "
            "without token weighting"
        )
    return "; ".join(sorted(notes))


def overrides_text(runs: Sequence[dict[str, Any]]) -> str:
    """The architecture and training-recipe overrides a tagged run was
    started with (`validate_every` left out: it changes when the run is
    scored, not what it learns)."""
    overrides = runs[0].get("overrides") or {}
    text = ", ".join(f"{k}={v!r}" for k, v in sorted(overrides.items()))
    training = {
        k: v
        for k, v in (runs[0].get("training_overrides") or {}).items()
        if k != "validate_every"
    }
    training.update(_budget(runs[0]))
    if training:
        recipe = ", ".join(f"{k}={v!r}" for k, v in sorted(training.items()))
        text = "; ".join(t for t in (text, f"training: {recipe}") if t)
    return text


def _budget(run: dict[str, Any]) -> dict[str, Any]:
    """The epoch cap and early-stopping patience of `run` where they
    differ from its preset's today (a suite's `epochs=` / `patience=`, or
    an earlier definition of the preset): the result file records them
    only in its resolved `training`, not among its overrides."""
    try:
        preset = preset_schema.resolve(run["preset"]).training
    except (KeyError, ValueError):
        return {}
    training = run.get("training") or {}
    return {
        key: training[key]
        for key in ("epochs", "early_stopping_patience")
        if key in training and training[key] != getattr(preset, key)
    }


def backend_on(backend: str, runs: list[dict]) -> str:
    """The backend, and the accelerator the runs trained on, if any."""
    cards = sorted(
        {r.get("machine", {}).get("accelerator") or "CPU" for r in runs}
    )
    return backend if cards == ["CPU"] else f"{backend} on {', '.join(cards)}"
