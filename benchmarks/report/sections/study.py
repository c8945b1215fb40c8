"""Section 2: the study, one change at a time against a base preset.

`study_groups.GROUPS` lists the comparisons (rows of presets and tags);
each becomes a table with Δ, noise and `real?` against its first row,
after the table of the study's claims (`claims.py`).
"""

from __future__ import annotations

from typing import Any

from benchmarks import suites
from benchmarks.report.baseline_rows import with_baselines
from benchmarks.report.sections.claims import claims_table
from benchmarks.report.sections.study_groups import GROUPS, Group, group_rows
from benchmarks.report.stats import (
    is_real,
    noise,
    pick_backend,
    summarize,
)
from benchmarks.report.tables import (
    NOT_RUN,
    cost_cells,
    fmt_delta,
    fmt_ms,
    label,
    metric_cells,
    source_note,
    table,
)
from benchmarks.report.text import prose


def study_table(
    group: Group,
    index: dict[tuple, list],
    baselines: dict[tuple, list[dict]] | None = None,
) -> tuple[str, list[dict[str, Any]], str | None]:
    """Markdown table of one comparison (with the baselines of its data
    and protocol), its runs and its backend."""
    rows = group_rows(group, index)
    keys = [(p, group.dataset, group.protocol, t) for p, t in rows]
    backend = pick_backend(index, keys)
    header = ["variant", "n", "Recall@10", "NDCG@10"]
    if group.show_user_norm:
        header.append("user norm (test)")
    header += [
        "ΔRecall@10 (noise)",
        "real?",
        "ΔNDCG@10 (noise)",
        "real?",
        "epochs",
        "train s",
        "real tokens/s",
    ]
    base = summarize(index, *keys[0], backend) if backend else None
    lines, used, summaries = [], [], []
    for (preset, tag), key in zip(rows, keys, strict=True):
        s = summarize(index, *key, backend) if backend else None
        if s is None:
            cells = [label(preset, tag), NOT_RUN]
            cells += ["—"] * (len(header) - 2)
            lines.append(cells)
            continue
        used += s.runs
        summaries.append((label(preset, tag), s))
        cells = [label(preset, tag), str(s.n)]
        cells += metric_cells(s, ["recall@10", "ndcg@10"])
        if group.show_user_norm:
            cells.append(fmt_ms(*s.metric("user_norm"), digits=2))
        for metric in ("recall@10", "ndcg@10"):
            if (preset, tag) == rows[0]:
                cells += ["base", ""]
            elif base is None:
                cells += ["no base", ""]
            else:
                (ma, sa), (mb, sb) = s.metric(metric), base.metric(metric)
                if ma is None or mb is None:
                    cells += ["—", ""]
                    continue
                nz = noise(sa, s.n, sb, base.n)
                cells += [fmt_delta(ma - mb, nz), is_real(ma - mb, nz)]
        cells += cost_cells(s)
        lines.append(cells)
    rows, notes = with_baselines(
        baselines, group.dataset, group.protocol, header, summaries
    )
    text = "\n\n".join([table(header, lines + rows)] + notes)
    return text, used, backend


def study_section(
    index: dict[tuple, list],
    plots: dict[str, list[str]],
    baselines: dict[tuple, list[dict]] | None = None,
) -> list[str]:
    # A tagged run keeps its tag when its preset was redefined since (an
    # untagged one is tagged apart by `set_aside_redefined`), but a
    # comparison must be made on the base as it is now: it is left out.
    index = {
        key: current
        for key, runs in index.items()
        if (current := [r for r in runs if not r.get("_redefined")])
    }
    out = [
        "## 2. Study: one change at a time",
        "",
        prose(
            "study",
            "intro",
            epochs=suites.STUDY_EPOCHS,
            patience=suites.STUDY_PATIENCE,
        ),
        "",
        *claims_table(index),
    ]
    for group in GROUPS:
        text, used, backend = study_table(group, index, baselines)
        out += [f"### {group.title}", "", group.note, "", text, ""]
        out.append(source_note(used, group.suite))
        out.append("")
        for path in plots.get(group.key, []):
            out.append(f"![{group.title}]({path})")
            out.append("")
    return out
