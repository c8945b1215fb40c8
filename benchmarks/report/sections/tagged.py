"""Other tagged runs: every result file no table above asks for."""

from __future__ import annotations

from benchmarks.report.sections.beat import BEAT_CONFIGS
from benchmarks.report.sections.reproduction import REPRODUCTION_RUNS
from benchmarks.report.sections.study_groups import GROUPS, group_rows
from benchmarks.report.stats import Summary
from benchmarks.report.tables import fmt_ms, overrides_text, run_notes, table
from benchmarks.report.text import prose


def tagged_section(index: dict[tuple, list]) -> list[str]:
    """Runs with a tag no table above asks for (earlier configurations,
    one-off variants): listed so that no result file goes unreported."""
    known = {
        (preset, group.dataset, group.protocol, tag)
        for group in GROUPS
        for preset, tag in group_rows(group, index)
    } | {
        (run.preset, run.dataset, run.protocol, run.tag)
        for run in REPRODUCTION_RUNS + BEAT_CONFIGS
    }
    rows = []
    for key, runs in sorted(index.items()):
        preset, dataset, protocol, tag, backend = key
        if not tag or (preset, dataset, protocol, tag) in known:
            continue
        s = Summary(runs)
        rows.append(
            [f"`{preset}`", tag, dataset, protocol, backend, str(s.n)]
            + [fmt_ms(*s.metric(m)) for m in ("recall@10", "ndcg@10")]
            + [overrides_text(runs), run_notes(runs)]
        )
    if not rows:
        return []
    header = ["preset", "tag", "data", "protocol", "backend", "n"]
    header += ["Recall@10", "NDCG@10", "overrides", "note"]
    return [
        "## Other tagged runs",
        "",
        prose("tagged", "intro"),
        "",
        table(header, rows),
        "",
    ]
