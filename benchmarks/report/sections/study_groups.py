"""The comparisons of the study: which presets (and tags) each table of
section 2 sets against its base, read by the tables, the claims and the
plots."""

from __future__ import annotations

import dataclasses

from benchmarks import suites


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
        "LayerNorm vs RMSNorm in the base's block; see the train-seconds "
        "column.",
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
            ("sasrec_plus", "pre_norm"),
            ("parallel", ""),
        ],
        "GeLU d_ff 4d vs bias-free SwiGLU / GeGLU at equal parameters, "
        "d_ff 2d (dff2) and 8d (dff8), and parallel blocks, which are "
        "pre-norm: compare them with the pre-norm base (pre_norm).",
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
        [("sasrec_plus", ""), ("warmup_cosine", ""), ("constant_lr", "")],
        "AdamW with cosine warm restarts (the base) vs AdamW with warm-up + "
        "one cosine decay, and Adam at a constant learning rate.",
    ),
    Group(
        "combined",
        "The flagship: all modern components, at its own size",
        suites.BEAUTY,
        "full-loo",
        [("sasrec_plus", ""), ("rope_swiglu", "")],
        "The flagship: RoPE + RMSNorm + bias-free SwiGLU together, at the "
        "size and with the regularisation chosen for it by validation "
        "(zoo/rope_swiglu.json), on the study's budget.",
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
