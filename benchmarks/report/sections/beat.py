"""Section 1b: the best presets against the targets of section 2."""

from __future__ import annotations

from benchmarks import suites
from benchmarks.report.baseline_rows import with_baselines
from benchmarks.report.sections.reproduction import REPRODUCTION_RUNS
from benchmarks.report.stats import Summary
from benchmarks.report.tables import (
    backend_on,
    cost_cells,
    label,
    metric_cells,
    run_notes,
    source_note,
    table,
)
from benchmarks.report.targets import BEAT_MIN_SEEDS, BEAT_TARGETS
from benchmarks.report.text import prose

# The gpu suite's other tagged configurations: candidates for the section-2
# targets, listed beside the presets but never counted as one.
BEAT_CONFIGS = [
    run
    for run in suites.SUITES["gpu"]
    if run.tag and run not in REPRODUCTION_RUNS
]


def beat_section(
    index: dict[tuple, list],
    baselines: dict[tuple, list[dict]] | None = None,
) -> list[str]:
    """The best untagged presets per benchmark against the section-2
    targets, ranked by mean test NDCG@10."""
    out = [
        "## 1b. Beating the published numbers",
        "",
        prose("beat", "intro", min_seeds=BEAT_MIN_SEEDS),
        "",
    ]
    configs = {
        (run.preset, run.dataset, run.protocol, run.tag) for run in BEAT_CONFIGS
    }
    for target in BEAT_TARGETS:
        names = [k for k in ("recall@10", "ndcg@10") if k in target]
        header = ["preset", "backend", "n", "HR@10", "NDCG@10"]
        header += ["epochs", "train s", "real tokens/s", "target met?", "note"]
        rows, used, summaries = [], [], []
        for key, runs in index.items():
            preset, dataset, protocol, tag, backend = key
            if (dataset, protocol) != (target["dataset"], target["protocol"]):
                continue
            if tag and (preset, dataset, protocol, tag) not in configs:
                continue
            s = Summary(runs)
            means = {name: s.metric(name)[0] for name in names}
            met = s.n >= BEAT_MIN_SEEDS and all(
                means[name] is not None and means[name] >= target[name]
                for name in names
            )
            verdict = "**yes**" if met else "no"
            if tag:
                verdict = (
                    "reached, but by a configuration, not a preset"
                    if met
                    else "no (configuration, not a preset)"
                )
            if s.n < BEAT_MIN_SEEDS:
                verdict += f" (n < {BEAT_MIN_SEEDS})"
            cells = [label(preset, tag), backend_on(backend, runs)]
            cells += [str(s.n)]
            cells += metric_cells(s, ["recall@10", "ndcg@10"])
            cells += cost_cells(s) + [verdict]
            cells.append(run_notes(runs))
            rows.append((s.metric("ndcg@10")[0] or 0.0, cells))
            summaries.append((f"{label(preset, tag)} ({backend})", s))
            used += runs
        rows.sort(key=lambda row: -row[0])
        thresholds = ", ".join(f"{n} ≥ {target[n]}" for n in names)
        out += [
            f"### {target['dataset']}, {target['protocol']}",
            "",
            f"Target: {target['rule']}, i.e. {thresholds}.",
            "",
        ]
        extra, notes = with_baselines(
            baselines, target["dataset"], target["protocol"], header, summaries
        )
        if rows or extra:
            out += [table(header, [cells for _, cells in rows] + extra), ""]
        out += [line for n in notes for line in (n, "")]
        out += [source_note(used, "beat"), ""]
    return out
