"""Section 2: the study, one change at a time against a base preset.

`GROUPS` lists the comparisons (rows of presets and tags); each becomes a
table with Δ, noise and `real?` against its first row.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from benchmarks import suites
from benchmarks.report.baseline_rows import with_baselines
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


@dataclasses.dataclass
class Group:
    """One comparison of the study: rows (preset, tag), the first the base."""

    key: str
    title: str
    dataset: str
    protocol: str
    rows: list[tuple[str, str]]
    note: str = ""
    show_user_norm: bool = False
    extra_tags_of: str = ""  # also list every tag found for this preset
    suite: str = "study"


GROUPS = [
    Group(
        "positions",
        "Position encodings",
        suites.BEAUTY,
        "full-loo",
        [("sasrec_plus", ""), ("rope", ""), ("rope_learned", "")],
        "learned absolute positions vs RoPE vs both.",
    ),
    Group(
        "norm",
        "LayerNorm vs RMSNorm",
        suites.BEAUTY,
        "full-loo",
        [("sasrec_plus", ""), ("rmsnorm", "")],
        "pre-norm LayerNorm vs RMSNorm; see the train-seconds column.",
    ),
    Group(
        "ffn",
        "Feed-forward network",
        suites.BEAUTY,
        "full-loo",
        [
            ("sasrec_plus", ""),
            ("swiglu", ""),
            ("geglu", ""),
            ("sasrec_plus", "dff2"),
            ("sasrec_plus", "dff8"),
            ("parallel", ""),
        ],
        "GeLU d_ff 4d vs bias-free SwiGLU / GeGLU at equal parameters, "
        "d_ff 2d (dff2) and 8d (dff8), and parallel blocks.",
    ),
    Group(
        "penalty",
        "User-embedding norm penalty",
        suites.BEAUTY,
        "full-loo",
        [
            ("sasrec_plus", ""),
            ("l2_penalty", ""),
            ("l2_penalty", "l2_5e-4"),
            ("hinge_l2", ""),
        ],
        "no penalty vs L2 1e-4, L2 5e-4 and the hinge penalty; "
        "'user norm' is the mean L2 norm of the test user representation.",
        show_user_norm=True,
        extra_tags_of="hinge_l2",
    ),
    Group(
        "schedule",
        "Optimizer schedule",
        suites.BEAUTY,
        "full-loo",
        [("sasrec_plus", ""), ("warmup_cosine", ""), ("cosine_restarts", "")],
        "Adam constant LR vs AdamW with warm-up + cosine, and with warm "
        "restarts.",
    ),
    Group(
        "combined",
        "All modern components",
        suites.BEAUTY,
        "full-loo",
        [("sasrec_plus", ""), ("rope_swiglu", "")],
        "RoPE + RMSNorm + bias-free SwiGLU together.",
    ),
    Group(
        "time",
        "Timestamp encodings (MovieLens-100k)",
        suites.ML100K,
        "full-loo",
        [
            ("no_time", ""),
            ("absolute_time", ""),
            ("hybrid_time", ""),
            ("rope_swiglu_time", ""),
        ],
        "no timestamps vs absolute vs hybrid (absolute + relative) "
        "encodings, and the flagship. ML-100k has one test user per user of "
        "its small log, so seed noise is large: read the ± and `real?` "
        "columns before a difference.",
        suite="time",
    ),
]


def group_rows(group: Group, index: dict[tuple, list]) -> list[tuple[str, str]]:
    rows = list(group.rows)
    if group.extra_tags_of:
        for key in sorted(index):
            preset, dataset, protocol, tag = key[:4]
            if (
                (preset == group.extra_tags_of or "hinge" in tag)
                and tag
                and dataset == group.dataset
                and protocol == group.protocol
                and (preset, tag) not in rows
            ):
                rows.append((preset, tag))
    return rows


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
    out = [
        "## 2. Study: one change at a time",
        "",
        prose("study", "intro", epochs=suites.STUDY_EPOCHS),
        "",
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
