"""Generates BENCHMARKS.md, its plots and the results of the preset files.

    python -m benchmarks.report

Reads every result file under benchmarks/results/runs/ (one JSON per run,
written by `benchmarks.runner.run_one`), benchmarks/results/speed/
(`benchmarks/speed.py`, one file per backend) and benchmarks/results/gpu/
(`benchmarks/gpu_throughput.py`), and writes

- BENCHMARKS.md at the repository root (never edit it by hand),
- PNG plots into benchmarks/results/plots/,
- zoo/results/<preset>.json, the generated results of each preset that
  has runs with an empty tag on its benchmark dataset and protocol (the
  hand-written preset files are only read, through
  `keras_rec_tx.preset_schema`).

Every number comes from a result file; rows without results say
"not run yet". Needs numpy and matplotlib; Keras only through the
preset reader.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import math
import os
import pathlib
import re
import sys
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from absl import app, flags

from benchmarks import suites
from benchmarks.anchor_noise import anchor_noise
from keras_rec_tx import preset_schema
from keras_rec_tx.utils import atomic_write_text

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent


FLAGS = flags.FLAGS


def define_flags() -> None:
    """The command-line flags (defined only when run as a script)."""
    flags.DEFINE_string(
        "runs_dir", str(HERE / "results" / "runs"), "Run files."
    )
    flags.DEFINE_string(
        "speed_dir", str(HERE / "results" / "speed"), "speed.py."
    )
    flags.DEFINE_string(
        "gpu_dir", str(HERE / "results" / "gpu"), "gpu_throughput.py results."
    )
    flags.DEFINE_string("plots_dir", str(HERE / "results" / "plots"), "Plots.")
    flags.DEFINE_string("output", str(ROOT / "BENCHMARKS.md"), "The report.")
    flags.DEFINE_string("zoo_dir", str(ROOT / "zoo"), "Preset files to update.")
    flags.DEFINE_bool("update_zoo", True, "Write the results of preset files.")


BACKENDS = ("jax", "tensorflow", "torch")
NOT_RUN = "not run yet"

# The acceptance bands for the reproduction runs.
TOLERANCES = {
    ("sasrec", suites.GAMES, "sampled-100"): {
        "rule": "abs",
        "hr@10": 0.015,
        "ndcg@10": 0.012,
    },
    ("sasrec_plus", suites.BEAUTY, "full-loo"): {
        "rule": "min",
        "hr@10": 0.089,
        "ndcg@10": 0.0515,
    },
}


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
        "encodings, and the flagship. ML-100k has 943 test users: one run's "
        "NDCG@10 moves by about 0.01 from noise alone.",
        suite="time",
    ),
]

# --------------------------------------------------------------- loading


def _rel(path: pathlib.Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def load_json_dir(folder: str | os.PathLike) -> list[dict[str, Any]]:
    """Every *.json in `folder` (sorted), each with its path in `_file`.
    A run whose training diverged, or a file holding NaN or inf, is left
    out (with a note on stderr): no table may show its numbers."""
    out = []
    for path in sorted(pathlib.Path(folder).glob("*.json")):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        if isinstance(data, dict):
            problem = unusable(data)
            if problem:
                print(
                    f"report: left out {_rel(path)}: {problem}", file=sys.stderr
                )
                continue
            data["_file"] = _rel(path)
            out.append(data)
    return out


def unusable(value: Any, where: str = "") -> str | None:
    """Why a loaded result must not be reported (diverged, or a NaN/inf
    number somewhere), else None."""
    if isinstance(value, dict):
        if value.get("diverged") is True:
            return f"training diverged ({value.get('error', 'no message')})"
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        finite = not isinstance(value, float) or math.isfinite(value)
        return None if finite else f"non-finite value {value} at {where}"
    for key, item in items:
        problem = unusable(item, f"{where}.{key}" if where else str(key))
        if problem:
            return problem
    return None


def run_key(run: dict[str, Any]) -> tuple[str, str, str, str, str]:
    return (
        run["preset"],
        run.get("dataset", ""),
        run.get("protocol", ""),
        run.get("tag", "") or "",
        run.get("backend", ""),
    )


def index_runs(
    runs: Iterable[dict[str, Any]],
) -> dict[tuple, list[dict[str, Any]]]:
    """(preset, dataset, protocol, tag, backend) -> runs sorted by seed."""
    index: dict[tuple, list] = collections.defaultdict(list)
    shares = collections.defaultdict(list)
    for run in runs:
        index[run_key(run)].append(run)
        share = _one_cpu_share(run)
        if share is not None:
            shares[run.get("backend")].append(share)
    for value in index.values():
        value.sort(key=lambda r: r.get("seed", 0))
    TYPICAL_CPU_SHARE.clear()
    TYPICAL_CPU_SHARE.update(
        {b: float(np.median(v)) for b, v in shares.items() if len(v) >= 3}
    )
    return dict(index)


# ------------------------------------------------------------ statistics


def mean_std(values: Sequence[float]) -> tuple[float | None, float | None]:
    """Mean and sample standard deviation (ddof 1; None below 2 values)."""
    values = [float(v) for v in values if v is not None]
    if not values:
        return None, None
    mean = float(np.mean(values))
    std = float(np.std(values, ddof=1)) if len(values) > 1 else None
    return mean, std


def noise(
    std_a: float | None, n_a: int, std_b: float | None, n_b: int
) -> float | None:
    """2 * sqrt(std_a^2 / n_a + std_b^2 / n_b); None without two seeds."""
    if std_a is None or std_b is None or n_a < 2 or n_b < 2:
        return None
    return 2.0 * math.sqrt(std_a**2 / n_a + std_b**2 / n_b)


def is_real(delta: float, noise_value: float | None) -> str:
    """'yes' only when |delta| exceeds the noise."""
    if noise_value is None:
        return "n/a (< 2 seeds)"
    return "yes" if abs(delta) > noise_value else "no"


@dataclasses.dataclass
class Summary:
    runs: list[dict[str, Any]]

    @property
    def n(self) -> int:
        return len(self.runs)

    @property
    def seeds(self) -> list[int]:
        return [int(r.get("seed", 0)) for r in self.runs]

    def metric(self, name: str) -> tuple[float | None, float | None]:
        return mean_std([r.get("test", {}).get(name) for r in self.runs])

    def field(self, name: str) -> float | None:
        return mean_std([r.get(name) for r in self.runs])[0]


def summarize(
    index: dict[tuple, list],
    preset: str,
    dataset: str,
    protocol: str,
    tag: str,
    backend: str,
) -> Summary | None:
    runs = index.get((preset, dataset, protocol, tag, backend))
    return Summary(runs) if runs else None


def pick_backend(
    index: dict[tuple, list], keys: Iterable[tuple[str, str, str, str]]
) -> str | None:
    """The backend with the most runs of `keys` on today's batches (not
    bucketed without token weighting), then with the most runs (ties: jax,
    tf, torch). So a table moves to the backend its comparison is being
    rerun on as soon as those runs exist."""
    current, total = collections.Counter(), collections.Counter()
    keys = [tuple(key) for key in keys]
    for full_key, runs in index.items():
        if full_key[:4] in keys:
            total[full_key[4]] += len(runs)
            current[full_key[4]] += sum(
                not suites.trained_without_token_weighting(r) for r in runs
            )
    if not total:
        return None
    order = list(BACKENDS) + sorted(set(total) - set(BACKENDS))
    return max(order, key=lambda b: (current[b], total[b], -order.index(b)))


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


def _machine_text(machine: dict[str, Any] | None) -> str:
    if not machine:
        return "unknown machine"
    parts = [str(machine.get("processor", "?"))]
    if machine.get("cpu_count"):
        parts.append(f"{machine['cpu_count']} CPUs")
    if machine.get("device"):
        parts.append(str(machine["device"]))
    parts.append(str(machine.get("platform", "")))
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
    machines = sorted({_machine_text(r.get("machine")) for r in runs})
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


def _label(preset: str, tag: str) -> str:
    return f"`{preset}`" + (f" [{tag}]" if tag else "")


# ------------------------------------------------------------- baselines

BASELINE_ORDER = ("most_popular", "markov", "item_knn", "ease")
# Table columns a baseline fills, by header name, from its test metrics.
BASELINE_METRICS = {
    "HR@10": "recall@10",
    "Recall@10": "recall@10",
    "NDCG@10": "ndcg@10",
    "HR@50": "recall@50",
    "Recall@50": "recall@50",
    "MRR": "mrr",
}


def load_baselines(folder: str | os.PathLike) -> dict[tuple, list[dict]]:
    """(dataset, protocol) -> the `benchmarks/baselines.py` result files,
    in BASELINE_ORDER."""
    out: dict[tuple, list[dict]] = collections.defaultdict(list)
    for r in load_json_dir(folder):
        if "baseline" in r and "test" in r:
            out[(r["dataset"], r["protocol"])].append(r)
    for results in out.values():
        results.sort(key=lambda r: BASELINE_ORDER.index(r["baseline"]))
    return dict(out)


def _baseline_label(r: dict) -> str:
    params = ", ".join(f"{k}={v:g}" for k, v in r["hyperparameters"].items())
    return f"baseline `{r['baseline']}`" + (f" ({params})" if params else "")


def baseline_rows(
    results: Sequence[dict], header: Sequence[str]
) -> list[list[str]]:
    """One row per baseline result for a table with `header`: the label
    in the first column, test metrics in the metric columns (HR@50 and
    MRR for full-loo only, as for the presets), the fit seconds in
    "train s" or else "note", "—" elsewhere."""
    rows = []
    for r in results:
        full = r["protocol"] == "full-loo"
        fit = f"{r['fit_seconds']:.1f}"
        cells = [_baseline_label(r)]
        for name in header[1:]:
            metric = BASELINE_METRICS.get(name)
            if metric and (full or metric in ("recall@10", "ndcg@10")):
                cells.append(fmt(r["test"][metric]))
            elif name in ("data", "protocol"):
                cells.append(r["dataset"] if name == "data" else r["protocol"])
            elif name == "n":
                cells.append("1")
            elif name == "train s":
                cells.append(fit)
            elif name == "note":
                cells.append(
                    f"fit {fit} s; chosen on validation NDCG@10 among "
                    f"{len(r['grid'])} settings"
                )
            else:
                cells.append("—")
        rows.append(cells)
    return rows


def not_beaten(
    results: Sequence[dict], presets: Sequence[tuple[str, Summary]]
) -> str:
    """A plain sentence naming the presets whose mean test HR@10 or
    NDCG@10 does not exceed the best baseline's; "" if all do."""
    if not results:
        return ""
    fails = []
    for label, s in presets:
        missed = []
        for name, key in (("HR@10", "recall@10"), ("NDCG@10", "ndcg@10")):
            best = max(results, key=lambda r: r["test"][key])
            mean = s.metric(key)[0]
            if mean is not None and mean <= best["test"][key]:
                missed.append(
                    f"{name} {mean:.4f} ≤ `{best['baseline']}` "
                    f"{best['test'][key]:.4f}"
                )
        if missed:
            fails.append(f"{label} ({'; '.join(missed)})")
    if not fails:
        return ""
    return (
        "**Not better than the best baseline** (mean test metric against "
        "the best baseline's): " + ", ".join(fails) + "."
    )


def baseline_source(results: Sequence[dict]) -> str:
    """Where a table's baseline rows come from."""
    if not results:
        return ""
    files = ", ".join(f"`{r['_file']}`" for r in results)
    dates = sorted(r.get("date", "?") for r in results)
    return (
        f"_Baselines: {files} (`benchmarks/baselines.py`, "
        "`keras_rec_tx.baselines`: fitted on the training split, "
        "hyper-parameters chosen on validation only, seed-0 evaluation "
        f"batches; {dates[0]} to {dates[-1]})._"
    )


def with_baselines(
    baselines: dict[tuple, list[dict]] | None,
    dataset: str,
    protocol: str,
    header: Sequence[str],
    presets: Sequence[tuple[str, Summary]],
) -> tuple[list[list[str]], list[str]]:
    """The baseline rows of one table and the lines to print under it
    (the not-beaten sentence and the source)."""
    results = (baselines or {}).get((dataset, protocol), [])
    if not results:
        return [], []
    notes = [not_beaten(results, presets), baseline_source(results)]
    return baseline_rows(results, header), [n for n in notes if n]


def baselines_section(
    index: dict[tuple, list], baselines: dict[tuple, list[dict]]
) -> list[str]:
    """The baselines of every benchmark (data, protocol), and the
    untagged presets that do not beat the best of them."""
    out = [
        "## 1c. Simple baselines",
        "",
        "Model-free baselines of `keras_rec_tx.baselines` (most popular; "
        "first-order Markov with a popularity back-off; item kNN, cosine "
        "over co-occurrence in the users' training sequences; EASE), "
        "fitted on the training split, their hyper-parameters chosen by "
        "validation NDCG@10 over a small grid (`benchmarks/baselines.py`), "
        "then scored once on test by the models' own metric code on the "
        "models' seed-0 evaluation batches (sampled-100: the same "
        "candidates). They use each user's whole history. Every table of "
        "sections 1 to 3 repeats them for its data and protocol.",
        "",
    ]
    header = ["baseline", "chosen on validation", "val NDCG@10", "HR@10"]
    header += ["NDCG@10", "HR@50", "MRR", "fit s", "settings tried"]
    for (dataset, protocol), results in sorted(baselines.items()):
        rows = []
        for r in results:
            full = protocol == "full-loo"
            params = r["hyperparameters"]
            rows.append(
                [f"`{r['baseline']}`"]
                + [", ".join(f"{k}={v:g}" for k, v in params.items()) or "—"]
                + [fmt(r["valid"]["ndcg@10"])]
                + [fmt(r["test"][k]) for k in ("recall@10", "ndcg@10")]
                + [
                    fmt(r["test"][k]) if full else "—"
                    for k in ("recall@50", "mrr")
                ]
                + [f"{r['fit_seconds']:.1f}", str(len(r["grid"]))]
            )
        presets = [
            (f"{_label(k[0], '')} ({k[4]})", Summary(runs))
            for k, runs in sorted(index.items())
            if k[1:3] == (dataset, protocol) and not k[3]
        ]
        verdict = not_beaten(results, presets) or (
            f"Every untagged preset with results here ({len(presets)}) "
            "beats the best baseline on mean test HR@10 and NDCG@10."
            if presets
            else "No preset has results here yet."
        )
        out += [f"### {dataset}, {protocol}", "", table(header, rows), ""]
        out += [verdict, "", baseline_source(results), ""]
    return out


# ---------------------------------------------------------- the sections


def _metric_cells(s: Summary, names: Sequence[str]) -> list[str]:
    return [fmt_ms(*s.metric(name)) for name in names]


def _cost_cells(s: Summary) -> list[str]:
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
            cells = [_label(preset, tag), NOT_RUN]
            cells += ["—"] * (len(header) - 2)
            lines.append(cells)
            continue
        used += s.runs
        summaries.append((_label(preset, tag), s))
        cells = [_label(preset, tag), str(s.n)]
        cells += _metric_cells(s, ["recall@10", "ndcg@10"])
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
        cells += _cost_cells(s)
        lines.append(cells)
    rows, notes = with_baselines(
        baselines, group.dataset, group.protocol, header, summaries
    )
    text = "\n\n".join([table(header, lines + rows)] + notes)
    return text, used, backend


# The reproduce suite, the Games run with the paper code's initialiser,
# the CPU sasrec_plus configurations with SASRec's block (cpu_block), then
# the gpu suite's runs of the Beauty reproduction at the d 64
# (sampled softmax, as published).
REPRODUCTION_RUNS = (
    suites.SUITES["reproduce"]
    + suites.SUITES["games_init"]
    + suites.SUITES["cpu_block"]
    + [
        run
        for run in suites.SUITES["gpu"]
        if run.overrides.get("d_model") == 64
        and run.dataset == suites.BEAUTY
        and run.overrides.get("loss", "sampled_softmax") == "sampled_softmax"
    ]
)
# The gpu suite's other tagged configurations: candidates for the section-2
# targets, listed beside the presets but never counted as one.
BEAT_CONFIGS = [
    run
    for run in suites.SUITES["gpu"]
    if run.tag and run not in REPRODUCTION_RUNS
]


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
    shared = [r for r in runs if shared_its_cpu(r)]
    if shared:
        share = ", ".join(f"{r['fit_cpu_per_wall_second']:.2f}" for r in shared)
        notes.add(
            f"{len(shared)} of {len(runs)} got much less of their one CPU "
            f"than their backend's runs usually do (CPU seconds per wall "
            f"second of training: {share}): the CPU was likely shared, so "
            "their times are inflated"
        )
    unweighted = [r for r in runs if suites.trained_without_token_weighting(r)]
    if unweighted:
        notes.add(
            f"{len(unweighted)} of {len(runs)} trained on bucketed batches "
            "without token weighting"
        )
    return "; ".join(sorted(notes))


# Median CPU share (CPU seconds per wall second of training) of each
# backend's one-CPU runs, filled by index_runs(). TensorFlow's one-thread
# runs use less of their core than jax and torch even when nothing else
# runs there, so a run is judged against its own backend.
TYPICAL_CPU_SHARE: dict[str, float] = {}


def _one_cpu_share(run: dict[str, Any]) -> float | None:
    """A run's CPU share if it was pinned to one CPU (recorded since
    2026-11-27; runs on several CPUs are not judged: a job there need not
    use them all)."""
    if (run.get("machine") or {}).get("cpus_available") != 1:
        return None
    return run.get("fit_cpu_per_wall_second")


def shared_its_cpu(run: dict[str, Any], threshold: float = 0.85) -> bool:
    """Whether a one-CPU run got less than `threshold` times the usual
    share of its backend's one-CPU runs (1.0 with fewer than 3 of them)."""
    share = _one_cpu_share(run)
    typical = TYPICAL_CPU_SHARE.get(run.get("backend"), 1.0)
    return share is not None and share < threshold * typical


def overrides_text(runs: Sequence[dict[str, Any]]) -> str:
    """The architecture overrides a tagged run was started with."""
    overrides = runs[0].get("overrides") or {}
    return ", ".join(f"{k}={v!r}" for k, v in sorted(overrides.items()))


def reproduction_section(
    index: dict[tuple, list],
    presets: dict[str, Any],
    anchor_users: dict[str, dict] | None = None,
    baselines: dict[tuple, list[dict]] | None = None,
) -> list[str]:
    out = [
        "## 1. Reproduction of published numbers",
        "",
        "Mean ± standard deviation over seeds of the test metrics next to "
        "the published anchor of the preset file (`benchmark.anchor`). "
        "Tolerances of the issue: `sasrec` on Games (sampled-100): HR@10 "
        "within 0.015 of 0.7410 and NDCG@10 within 0.012 of 0.5360; "
        "`sasrec_plus` on Beauty (full-loo): NDCG@10 >= 0.0515 and "
        "HR@10 >= 0.089 (judged on the mean). HR@10 = Recall@10 here (one "
        "held-out item). HR@50 and MRR are shown for full-loo only (under "
        "sampled-100 they rank 101 candidates and compare with nothing "
        "published).",
        "",
    ]
    header = [
        "preset",
        "data",
        "protocol",
        "backend",
        "n",
        "HR@10",
        "NDCG@10",
        "HR@50",
        "MRR",
        "anchor HR@10",
        "anchor NDCG@10",
        "ΔHR@10",
        "ΔNDCG@10",
        "within tolerance?",
        "note",
    ]
    lines, used, noise_notes = [], [], []
    summaries = collections.defaultdict(list)
    for run in REPRODUCTION_RUNS:
        preset = presets.get(run.preset)
        anchor = preset.benchmark.get("anchor", {}) if preset else {}
        a_hr, a_ndcg = anchor.get("hr10"), anchor.get("ndcg10")
        tol = TOLERANCES.get((run.preset, run.dataset, run.protocol))
        backends = [
            k[4]
            for k in sorted(index)
            if k[:4] == (run.preset, run.dataset, run.protocol, run.tag)
        ]
        prefix = [_label(run.preset, run.tag), run.dataset, run.protocol]
        if not backends:
            lines.append(
                prefix
                + ["—", NOT_RUN]
                + ["—"] * 4
                + [fmt(a_hr), fmt(a_ndcg), "—", "—", NOT_RUN, ""]
            )
            continue
        for backend in backends:
            s = summarize(
                index, run.preset, run.dataset, run.protocol, run.tag, backend
            )
            used += s.runs
            summaries[(run.dataset, run.protocol)].append(
                (f"{_label(run.preset, run.tag)} ({backend})", s)
            )
            hr, ndcg = s.metric("recall@10")[0], s.metric("ndcg@10")[0]
            full = run.protocol == "full-loo"
            cells = prefix + [_backend_on(backend, s.runs), str(s.n)]
            cells += _metric_cells(s, ["recall@10", "ndcg@10"])
            cells += (
                _metric_cells(s, ["recall@50", "mrr"])
                if full
                else [
                    "—",
                    "—",
                ]
            )
            d_hr = None if a_hr is None or hr is None else hr - a_hr
            d_ndcg = None if a_ndcg is None or ndcg is None else ndcg - a_ndcg
            cells += [fmt(a_hr), fmt(a_ndcg)]
            cells += [
                "—" if d_hr is None else f"{d_hr:+.4f}",
                "—" if d_ndcg is None else f"{d_ndcg:+.4f}",
            ]
            cells.append(tolerance_verdict(tol, hr, ndcg, a_hr, a_ndcg))
            cells.append(run_notes(s.runs))
            lines.append(cells)
            users = (anchor_users or {}).get(run.dataset)
            if users and not run.tag and s.n >= 2:
                noise_notes.append(anchor_noise_note(run, s, anchor, users))
    baseline_notes = []
    for dataset, protocol in dict.fromkeys(
        (run.dataset, run.protocol) for run in REPRODUCTION_RUNS
    ):
        rows, notes = with_baselines(
            baselines,
            dataset,
            protocol,
            header,
            summaries[(dataset, protocol)],
        )
        lines += rows
        baseline_notes += [f"{dataset} ({protocol}): {n}" for n in notes]
    out += [table(header, lines), ""]
    out += [line for n in baseline_notes for line in (n, "")]
    out += noise_notes
    out += [
        f"- {_label(run.preset, run.tag)}: {run.describe()}"
        for run in REPRODUCTION_RUNS
        if run.tag
    ]
    out += ["", source_note(used, "reproduce"), ""]
    return out


def anchor_noise_note(
    run: suites.Run, s: Summary, anchor: dict, users: dict
) -> str:
    """How many sds the seed mean lies from a one-run anchor that scored
    a random subset of the users (`benchmarks/anchor_noise.py`)."""
    parts = []
    # Our sampled-100 runs score a fresh draw of users per seed, as the
    # anchor did: their spread then holds the user-sampling noise too.
    ours = users.get("sampled_100_users", users["evaluable_users"])
    ours_sampled = ours < users["evaluable_users"]
    for name, key in (("HR@10", "recall@10"), ("NDCG@10", "ndcg@10")):
        values = [r["test"][key] for r in s.runs]
        a = anchor_noise(
            anchor[key.replace("recall", "hr").replace("@", "")],
            values,
            users["anchor_users"],
            users["evaluable_users"],
            ours_sampled=ours_sampled,
        )
        parts.append(
            f"{name}: Δ {a['delta']:+.4f} = {a['delta_in_std']:+.1f} sd "
            f"(anchor sd {a['anchor_std']:.4f}, of which user sampling at "
            f"most {a['user_sampling_std']:.4f}; sd of Δ "
            f"{a['delta_std']:.4f})"
        )
    how = (
        f"our runs score a fresh {ours:,} per seed too, so the spread of our "
        f"{s.n} seeds measures the anchor's noise, user draw included"
        if ours_sampled
        else f"our runs score every user; the anchor's sd adds the user "
        f"draw to the spread of our {s.n} seeds"
    )
    return (
        f"- Noise of the anchor of {_label(run.preset, run.tag)} on "
        f"{run.dataset} ({s.runs[0].get('backend')} runs): the published "
        "numbers are one training run scored on a random "
        f"{users['anchor_users']:,} of the {users['evaluable_users']:,} "
        f"test users; {how} "
        f"(`{_rel(ROOT / 'benchmarks' / 'anchor_noise.py')}`). "
        + "; ".join(parts)
        + "."
    )


def _backend_on(backend: str, runs: list[dict]) -> str:
    """The backend, and the accelerator the runs trained on, if any."""
    cards = sorted(
        {r.get("machine", {}).get("accelerator") or "CPU" for r in runs}
    )
    return backend if cards == ["CPU"] else f"{backend} on {', '.join(cards)}"


# Section 2 of the benchmark issue: targets for the best preset, judged on
# the mean of at least BEAT_MIN_SEEDS seeds of an untagged preset.
BEAT_TARGETS = [
    {
        "dataset": suites.BEAUTY,
        "protocol": "full-loo",
        "ndcg@10": 0.0560,
        "rule": "NDCG@10 >= 0.0560 (published best 0.0531)",
    },
    {
        "dataset": suites.GAMES,
        "protocol": "sampled-100",
        "recall@10": round(1.03 * 0.7410, 4),
        "ndcg@10": round(1.03 * 0.5360, 4),
        "rule": "HR@10 and NDCG@10 at least 3% above the SASRec paper "
        "(0.7410, 0.5360)",
    },
]
BEAT_MIN_SEEDS = 3


def beat_section(
    index: dict[tuple, list],
    baselines: dict[tuple, list[dict]] | None = None,
) -> list[str]:
    """The best untagged presets per benchmark against the section-2
    targets, ranked by mean test NDCG@10."""
    out = [
        "## 1b. Beating the published numbers",
        "",
        "Every untagged preset with results on the benchmark, best mean "
        "test NDCG@10 first. A target is met only by a preset whose mean "
        f"over at least {BEAT_MIN_SEEDS} seeds reaches it "
        "(`python -m benchmarks.run --suite=beat` and `--suite=study`). "
        "Tagged configurations of the `gpu` suite are listed with them "
        "(`[tag]`) but do not count: their verdict says whether the "
        "configuration reaches the target.",
        "",
    ]
    configs = {
        (run.preset, run.dataset, run.protocol, run.tag) for run in BEAT_CONFIGS
    }
    for target in BEAT_TARGETS:
        names = [k for k in ("recall@10", "ndcg@10") if k in target]
        header = ["preset", "backend", "n", "HR@10", "NDCG@10", "target met?"]
        header.append("note")
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
            cells = [_label(preset, tag), _backend_on(backend, runs)]
            cells += [str(s.n)]
            cells += _metric_cells(s, ["recall@10", "ndcg@10"]) + [verdict]
            cells.append(run_notes(runs))
            rows.append((s.metric("ndcg@10")[0] or 0.0, cells))
            summaries.append((f"{_label(preset, tag)} ({backend})", s))
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


def tolerance_verdict(
    tol: dict | None,
    hr: float | None,
    ndcg: float | None,
    a_hr: float | None,
    a_ndcg: float | None,
) -> str:
    if tol is None or hr is None or ndcg is None:
        return "—"
    if tol["rule"] == "abs":
        ok_hr = a_hr is not None and abs(hr - a_hr) <= tol["hr@10"]
        ok_ndcg = a_ndcg is not None and abs(ndcg - a_ndcg) <= tol["ndcg@10"]
        text = (
            f"HR@10 \\|Δ\\| ≤ {tol['hr@10']}: {'yes' if ok_hr else 'no'}; "
            f"NDCG@10 \\|Δ\\| ≤ {tol['ndcg@10']}: "
            f"{'yes' if ok_ndcg else 'no'}"
        )
    else:
        ok_hr, ok_ndcg = hr >= tol["hr@10"], ndcg >= tol["ndcg@10"]
        text = (
            f"HR@10 ≥ {tol['hr@10']}: {'yes' if ok_hr else 'no'}; "
            f"NDCG@10 ≥ {tol['ndcg@10']}: {'yes' if ok_ndcg else 'no'}"
        )
    return ("**yes** — " if ok_hr and ok_ndcg else "**no** — ") + text


def study_section(
    index: dict[tuple, list],
    plots: dict[str, list[str]],
    baselines: dict[tuple, list[dict]] | None = None,
) -> list[str]:
    out = [
        "## 2. Study: one change at a time",
        "",
        "Each table compares presets that differ from the first row (the "
        "base) in one thing, trained with the same budget "
        f"(`benchmarks/suites.py`: at most {suites.STUDY_EPOCHS} epochs on "
        "Beauty, early stopping on validation NDCG@10, best weights "
        "restored) and evaluated on the full-loo test split. Metrics are "
        "mean ± sample standard deviation over seeds. Δ is the difference "
        "of the means to the base; in brackets the noise "
        "`2 * sqrt(std_a^2 / n_a + std_b^2 / n_b)` (about a 95% bound of "
        "the difference of two means from seed noise alone). **real?** is "
        "yes only when |Δ| > noise; with fewer than 2 seeds on either side "
        "it cannot be judged (n/a). Epochs: epochs run (mean best epoch); "
        "train s: training seconds without validation; real tokens/s: "
        "non-padding training tokens per training second. All rows of a "
        "table use one backend (the one with most runs).",
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


def backends_section(
    index: dict[tuple, list],
    evaluations: list[dict] | None = None,
    baselines: dict[tuple, list[dict]] | None = None,
) -> list[str]:
    """Section 3; `evaluations` are `benchmarks/cross_backend_eval.py`'s
    files (one saved model scored under every backend)."""
    run = suites.SUITES["backends"][0]
    out = [
        "## 3. Across backends",
        "",
        f"`{run.preset}` on {run.dataset} ({run.protocol}), the same suite "
        "run under each KERAS_BACKEND (`python -m benchmarks.run "
        "--suite=backends`). Δ and noise as in section 2, against the first "
        "backend with results; a difference between backends should not "
        "be real. Best val NDCG@10 is the validation score of the epoch "
        "kept, the score early stopping selects on.",
        "",
    ]
    header = [
        "backend",
        "n",
        "Recall@10",
        "NDCG@10",
        "Recall@50",
        "MRR",
        "best val NDCG@10",
        "ΔNDCG@10 (noise)",
        "real?",
        "epochs",
        "train s",
        "real tokens/s",
        "peak RSS MB",
    ]
    lines, used, first, summaries = [], [], None, []
    for backend in BACKENDS:
        s = summarize(
            index, run.preset, run.dataset, run.protocol, run.tag, backend
        )
        if s is None:
            lines.append([backend, NOT_RUN] + ["—"] * (len(header) - 2))
            continue
        used += s.runs
        summaries.append((f"`{run.preset}` ({backend})", s))
        cells = [backend, str(s.n)]
        cells += _metric_cells(s, ["recall@10", "ndcg@10", "recall@50", "mrr"])
        cells.append(
            fmt_ms(*mean_std([r.get("best_val_ndcg@10") for r in s.runs]))
        )
        if first is None:
            first = s
            cells += ["base", ""]
        elif _recipe(s) != _recipe(first):
            cells += ["—", "not comparable: " + _recipe(s)]
        else:
            (ma, sa), (mb, sb) = s.metric("ndcg@10"), first.metric("ndcg@10")
            nz = noise(sa, s.n, sb, first.n)
            cells += [fmt_delta(ma - mb, nz), is_real(ma - mb, nz)]
        cells += _cost_cells(s)
        cells.append(fmt_int(s.field("peak_rss_mb")))
        lines.append(cells)
    rows, notes = with_baselines(
        baselines, run.dataset, run.protocol, header, summaries
    )
    out += [table(header, lines + rows), ""]
    out += [line for n in notes for line in (n, "")]
    out += [source_note(used, "backends"), ""]
    for e in evaluations or []:
        if e.get("run") == run.name and e.get("dataset") == run.dataset:
            out += [cross_backend_eval_note(e), ""]
    return out


def cross_backend_eval_note(e: dict) -> str:
    """One sentence on a saved model scored under every backend."""
    scores = ", ".join(
        f"{backend} {fmt(m['ndcg@10'])}"
        for backend, m in e["test_of_saved_model"].items()
    )
    largest = max(e["largest_difference"].values())
    return (
        f"Evaluation alone: one model trained on {e['trained_on']} (seed "
        f"{e['seed']}, best epoch {e['best_epoch']}), saved, then loaded and "
        f"scored on the test split under each backend: NDCG@10 {scores}; "
        f"the largest difference of any test metric from the training "
        f"process's own score is {largest:.1e}. So a gap between the "
        "backends' test metrics comes from training, not from evaluation "
        f"(`{e['_file']}`, `{e['command']}`, {e['date']})."
    )


def _recipe(s: Summary) -> str:
    """Which training batches a backend's runs used, for comparing them."""
    unweighted = sum(map(suites.trained_without_token_weighting, s.runs))
    if unweighted == 0:
        return "today's batches"
    if unweighted == s.n:
        return "bucketed batches without token weighting"
    return f"{unweighted} of {s.n} without token weighting"


def speed_section(speed: list[dict], gpu: list[dict]) -> list[str]:
    out = [
        "## 4. Speed",
        "",
        "From `benchmarks/speed.py` (one file per backend under "
        "benchmarks/results/speed/): training steps of each preset at its "
        "own architecture with Beauty's catalogue (12,101 items) on "
        "synthetic batches (batch size, max_len, steps: the settings in "
        "the source line); warm-up and compilation steps excluded; real "
        "tokens = non-padding targets. "
        "FLOPs per token = 6 * (matmul parameters) + 12 * L * d * blocks "
        "(attention) + 6 * d * C (scores of C candidates per position); "
        "MFU = model FLOP/s / the float32 `keras.ops.matmul` peak of the "
        "same backend measured in the same run. The machine is shared by "
        "other jobs: compare backends with care (load averages given).",
        "",
    ]
    by_backend = {s.get("backend"): s for s in speed}
    # Summary: real tokens/s per preset and backend (main table).
    presets = sorted(
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
    for preset in presets or ["(any)"]:
        cells, mfus = [f"`{preset}`"], []
        for backend in BACKENDS:
            row = _speed_row(by_backend.get(backend), preset, "main")
            cells.append(
                NOT_RUN if row is None else fmt_int(row["real_tokens_per_s"])
            )
            mfus.append(NOT_RUN if row is None else f"{100 * row['mfu']:.2f}%")
        lines.append(cells + mfus)
    out += [
        "### Training throughput per preset (real tokens/s)",
        "",
        table(header, lines),
        "",
        _speed_source(speed, short=False),
        "",
    ]
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
    lines = []
    for backend in BACKENDS:
        s = by_backend.get(backend)
        if s is None:
            lines.append([backend, NOT_RUN] + ["—"] * (len(header) - 2))
            continue
        for row in s.get("training", []):
            if row.get("table") == "main" and row["preset"] not in (
                "rope_swiglu",
                "sasrec_plus",
                "sasrec",
            ):
                continue
            lines.append(
                [
                    backend,
                    f"`{row['preset']}`",
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
            )
    out += [
        "### Compilation modes and padding (selected presets)",
        "",
        "jit_compile: what Keras ran (`True`: `jax.jit` on JAX, XLA on "
        "TensorFlow, `torch.compile` on PyTorch; `False`: op by op on JAX, "
        "a `tf.function` graph without XLA on TensorFlow, eager PyTorch). "
        "`keras_rec_tx.zoo.get` and `keras_rec_tx.experiment.run` compile "
        'with Keras\' default `jit_compile="auto"`, which resolves to '
        "True on JAX, to True on TensorFlow only with an accelerator "
        "(False on a CPU-only machine) and to False on PyTorch; the "
        "per-preset table above uses the same. `full`: every position a "
        "real token; `beauty`: Beauty-like lengths with length bucketing "
        "and left padding as in training (real < computed tokens).",
        "",
        table(header, lines),
        "",
        _speed_source(speed),
        "",
    ]
    # Matmul peak, norms, evaluation.
    header = [
        "backend",
        "matmul peak GFLOP/s (start / end)",
        "RMSNorm ms",
        "LayerNorm ms",
        "RMSNorm / LayerNorm",
        "shape",
    ]
    lines = []
    for backend in BACKENDS:
        s = by_backend.get(backend)
        if s is None:
            lines.append([backend, NOT_RUN] + ["—"] * (len(header) - 2))
            continue
        peak = (
            f"{s['matmul_peak']['gflops']:.1f} / "
            f"{s.get('matmul_peak_end', {}).get('gflops', float('nan')):.1f}"
            f" (n={s['matmul_peak']['n']})"
        )
        for row in s.get("norm", []):
            lines.append(
                [
                    backend,
                    peak,
                    f"{row['rmsnorm_ms']:.3f}",
                    f"{row['layernorm_ms']:.3f}",
                    f"{row['rmsnorm_over_layernorm']:.2f}",
                    "x".join(map(str, row["shape"])),
                ]
            )
    out += [
        "### Matmul peak and RMSNorm vs LayerNorm",
        "",
        "Forward + backward of one norm layer (gradients w.r.t. input and "
        "scale), float32, compiled where the backend compiles (JAX jit, "
        "TensorFlow XLA, PyTorch eager); median of repeated calls.",
        "",
        table(header, lines),
        "",
        _speed_source(speed),
        "",
    ]
    header = [
        "backend",
        "preset",
        "jit_compile",
        "catalogue",
        "users",
        "users/s",
    ]
    lines = []
    for backend in BACKENDS:
        s = by_backend.get(backend)
        evals = s.get("eval", []) if s else []
        if isinstance(evals, dict):
            evals = [evals]
        if not evals:
            lines.append([backend, NOT_RUN] + ["—"] * (len(header) - 2))
        for row in evals:
            lines.append(
                [
                    backend,
                    f"`{row['preset']}`",
                    str(row.get("jit_compile", "?")),
                    fmt_int(row["num_items"]),
                    fmt_int(row["users"]),
                    fmt_int(row["users_per_s"]),
                ]
            )
    out += [
        "### Full-catalogue evaluation throughput",
        "",
        "`model.evaluate` (Recall/NDCG@10,50, MRR over the whole "
        "catalogue, history excluded, batch 256) with a Games-sized "
        "catalogue on synthetic histories; second of two passes.",
        "",
        table(header, lines),
        "",
        _speed_source(speed),
        "",
    ]
    out += ["### GPU throughput (`benchmarks/gpu_throughput.py`)", ""]
    header = [
        "backend",
        "device",
        "preset",
        "config",
        "step ms",
        "tokens/s",
        "MFU",
        "date",
    ]
    smoke = [g for g in gpu if g.get("smoke")]
    gpu = [g for g in gpu if not g.get("smoke")]
    lines = []
    for g in gpu:
        cfg = g.get("config", {})
        lines.append(
            [
                g.get("backend", "?"),
                g.get("device", "?"),
                f"`{g.get('preset', '?')}`",
                ", ".join(f"{k} {v}" for k, v in cfg.items()),
                f"{g.get('step_ms_median', float('nan')):.1f}",
                fmt_int(g.get("tokens_per_s")),
                "—" if g.get("mfu") is None else f"{100 * g['mfu']:.1f}%",
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
            f"{_machine_text(s.get('machine'))}, 1-min load "
            f"{fmt(load, 1)} → {fmt(load_end, 1)})"
        )
    return "_Source: " + "; ".join(parts) + "._"


# ----------------------------------------------------------------- plots


def _curves(
    runs: Sequence[dict[str, Any]], key: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean over seeds of `key` per epoch (epochs where any seed has it),
    with the mean train seconds at those epochs."""
    per_epoch: dict[int, list[tuple[float, float]]] = collections.defaultdict(
        list
    )
    for run in runs:
        for row in run.get("history", []):
            if row.get(key) is not None:
                per_epoch[int(row["epoch"])].append(
                    (float(row[key]), float(row.get("train_s", np.nan)))
                )
    epochs = np.array(sorted(per_epoch))
    values = np.array([np.mean([v for v, _ in per_epoch[e]]) for e in epochs])
    seconds = np.array([np.mean([t for _, t in per_epoch[e]]) for e in epochs])
    return epochs, values, seconds


def make_plots(
    index: dict[tuple, list], plots_dir: pathlib.Path, doc_dir: pathlib.Path
) -> dict[str, list[str]]:
    """One figure per comparison group; returns links relative to the doc."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plots_dir.mkdir(parents=True, exist_ok=True)
    for stale in plots_dir.glob("*.png"):  # only what the results support
        stale.unlink()
    links: dict[str, list[str]] = collections.defaultdict(list)
    groups = list(GROUPS)
    run = suites.SUITES["backends"][0]
    groups.append(
        Group(
            "backends",
            f"{run.preset} per backend",
            run.dataset,
            run.protocol,
            [(run.preset, run.tag)],
        )
    )
    for group in groups:
        series, backend_text = [], "all backends"
        if group.key == "backends":
            for backend in BACKENDS:
                s = summarize(
                    index,
                    run.preset,
                    run.dataset,
                    run.protocol,
                    run.tag,
                    backend,
                )
                if s:
                    series.append((backend, s.runs))
        else:
            rows = group_rows(group, index)
            keys = [(p, group.dataset, group.protocol, t) for p, t in rows]
            backend = pick_backend(index, keys)
            backend_text = f"backend {backend}"
            for (preset, tag), key in zip(rows, keys, strict=True):
                s = summarize(index, *key, backend) if backend else None
                if s:
                    series.append(
                        (preset + (f" [{tag}]" if tag else ""), s.runs)
                    )
        if not series:
            continue
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
        for label, runs in series:
            epochs, values, seconds = _curves(runs, "val_ndcg@10")
            if not len(epochs):
                continue
            n = len(runs)
            ax1.plot(epochs, values, marker=".", label=f"{label} (n={n})")
            ax2.plot(seconds, values, marker=".", label=f"{label} (n={n})")
        ax1.set_xlabel("epoch")
        ax2.set_xlabel("training seconds (mean over seeds)")
        for ax in (ax1, ax2):
            ax.set_ylabel("validation NDCG@10 (mean over seeds)")
            ax.grid(alpha=0.3)
        ax1.legend(fontsize=8)
        fig.suptitle(
            f"{group.title}: {group.dataset}, {group.protocol}, {backend_text}"
        )
        fig.tight_layout()
        path = plots_dir / f"{group.key}_val_ndcg.png"
        fig.savefig(path, dpi=90)
        plt.close(fig)
        links[group.key].append(os.path.relpath(path, doc_dir))
        if group.show_user_norm:
            fig, ax = plt.subplots(figsize=(6, 4))
            for label, runs in series:
                key = "val_user_norm"
                if not len(_curves(runs, key)[0]):
                    key = "user_norm"
                epochs, values, _ = _curves(runs, key)
                if len(epochs):
                    ax.plot(
                        epochs, values, marker=".", label=f"{label} ({key})"
                    )
            ax.set_xlabel("epoch")
            ax.set_ylabel("mean user-embedding L2 norm")
            ax.grid(alpha=0.3)
            ax.legend(fontsize=8)
            ax.set_title(f"{group.title}: user-embedding norm")
            fig.tight_layout()
            path = plots_dir / f"{group.key}_user_norm.png"
            fig.savefig(path, dpi=90)
            plt.close(fig)
            links[group.key].append(os.path.relpath(path, doc_dir))
    return dict(links)


# ------------------------------------------------------------ zoo files


def load_presets(zoo_dir: str | os.PathLike) -> dict[str, Any]:
    """The resolved presets of `zoo_dir` (`keras_rec_tx.preset_schema`)."""
    return {
        name: preset_schema.resolve(name, zoo_dir)
        for name in preset_schema.names(zoo_dir)
    }


def preset_results(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The "results" entry of a preset file from its runs (one backend)."""
    s = Summary(list(runs))
    first = s.runs[0]

    def stat(metric: str) -> dict[str, float | None]:
        mean, std = s.metric(metric)
        return {
            "mean": None if mean is None else round(mean, 5),
            "std": None if std is None else round(std, 5),
        }

    results: dict[str, Any] = {
        "dataset": first.get("dataset"),
        "protocol": first.get("protocol"),
        "seeds": s.seeds,
        "backend": first.get("backend"),
        "hr@10": stat("recall@10"),
        "ndcg@10": stat("ndcg@10"),
    }
    if first.get("protocol") == "full-loo":
        results["hr@50"] = stat("recall@50")
        results["mrr"] = stat("mrr")
    results["epochs"] = [r.get("epochs_run") for r in s.runs]
    results["train_seconds"] = round(s.field("train_seconds") or 0.0, 1)
    results["machine"] = _machine_text(first.get("machine"))
    dates = sorted(r.get("date", "?") for r in s.runs)
    results["date"] = (
        dates[0] if dates[0] == dates[-1] else (f"{dates[0]} to {dates[-1]}")
    )
    results["source"] = [r["_file"] for r in s.runs]
    commands = sorted({r.get("command", "?") for r in s.runs})
    results["command"] = commands[0] if len(commands) == 1 else commands
    results["generated_by"] = "python -m benchmarks.report"
    return results


def update_zoo(
    zoo_dir: str | os.PathLike, index: dict[tuple, list]
) -> list[str]:
    """Writes the generated `zoo_dir/results/<preset>.json` files; returns
    the names whose results changed.

    A preset gets results from its runs with an empty tag on its
    benchmark's dataset and protocol, on the backend `pick_backend`
    chooses: most runs on today's batches (token-weighted or padded to
    `max_len`), then most runs. Presets without such runs are left
    untouched; the hand-written preset files are never written.
    """
    changed = []
    for name, preset in load_presets(zoo_dir).items():
        bench = preset.benchmark
        key = (name, bench.get("dataset"), bench.get("protocol"), "")
        backend = pick_backend(index, [key])
        if backend is None:
            continue
        results = preset_results(index[(*key, backend)])
        if preset.results == results:
            continue
        path = preset_schema.results_dir(zoo_dir) / f"{name}.json"
        path.parent.mkdir(exist_ok=True)
        atomic_write_text(
            path, json.dumps(results, indent=2, ensure_ascii=False) + "\n"
        )
        changed.append(name)
    return changed


# ------------------------------------------------------------------ main


def build_report(
    runs_dir: str | os.PathLike,
    speed_dir: str | os.PathLike,
    gpu_dir: str | os.PathLike,
    plots_dir: str | os.PathLike,
    output: str | os.PathLike,
    zoo_dir: str | os.PathLike,
) -> str:
    """Writes the report (and plots) and returns its text."""
    runs = load_json_dir(runs_dir)
    runs = [r for r in runs if "preset" in r and "test" in r]
    index = index_runs(runs)
    output = pathlib.Path(output)
    plots = make_plots(index, pathlib.Path(plots_dir), output.parent)
    presets = load_presets(zoo_dir)
    dates = sorted(r.get("date", "") for r in runs)
    lines = [
        "# Benchmarks",
        "",
        "<!-- Generated by `python -m benchmarks.report` from the result "
        "files under benchmarks/results/. Do not edit by hand: rerun the "
        "script. -->",
        "",
        "This file is generated by `python -m benchmarks.report` from the "
        "result files under `benchmarks/results/` and is never edited by "
        "hand. Runs come from `python -m benchmarks.run --suite=<suite>` "
        "(suites in `benchmarks/suites.py`, protocols in the design notes: "
        "full-loo ranks the whole catalogue, sampled-100 ranks the target "
        "among 100 unseen items); speed numbers from "
        "`benchmarks/speed.py` and `benchmarks/gpu_throughput.py`. A row "
        "without results says "
        f'"{NOT_RUN}"; no number here is typed by hand.',
        "",
        'Runs noted "trained on bucketed batches without token weighting" '
        "predate token weighting (`SequenceBatches(token_weighting=...)`, "
        "the default for bucketed training batches since 2026-11-27): "
        "their batch losses weighed each real position of a batch of short "
        "sequences more than one of a batch of long sequences "
        "(`benchmarks/results/diagnostics/batch_tokens__*.json`), where "
        "batches padded to `max_len` (the runs on a GPU) weigh them about "
        "alike. The `bucketing` suite measures what this changes. Each "
        "table of section 2 uses the backend with the most runs on today's "
        "batches; runs rerun with `benchmarks/run.py --supersede_unweighted` "
        "left their older result files in `benchmarks/results/superseded/`.",
        "",
        f"Result files: {len(runs)} runs"
        + (f", dated {dates[0]} to {dates[-1]}." if runs else "."),
        "",
    ]
    results_dir = pathlib.Path(speed_dir).parent
    anchor_users = {
        r["dataset"]: r
        for r in load_json_dir(results_dir / "diagnostics")
        if "evaluable_users" in r
    }
    baselines = load_baselines(results_dir / "baselines")
    lines += reproduction_section(index, presets, anchor_users, baselines)
    lines += beat_section(index, baselines)
    lines += baselines_section(index, baselines)
    lines += study_section(index, plots, baselines)
    lines += backends_section(
        index,
        [
            r
            for r in load_json_dir(results_dir / "diagnostics")
            if "test_of_saved_model" in r
        ],
        baselines,
    )
    lines += tagged_section(index)
    lines += speed_section(load_json_dir(speed_dir), load_json_dir(gpu_dir))
    lines += time_to_quality_section(
        load_json_dir(results_dir / "time_to_quality")
    )
    lines += data_pipeline_section(results_dir / "data_pipeline.json")
    text = "\n".join(lines).rstrip() + "\n"
    output.write_text(text, encoding="utf-8")
    return text


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
        "Result files whose tag no table above uses (for example runs of "
        "an earlier configuration of a preset).",
        "",
        table(header, rows),
        "",
    ]


def time_to_quality_section(results: list[dict[str, Any]]) -> list[str]:
    """Time to RecBole's validation quality (benchmarks/time_to_quality.py)."""
    out = [
        "## 5. Time to quality against RecBole 1.2.1 SASRec (MovieLens-100k)",
        "",
    ]
    # recbole_sasrec.py's own result files sit in the same folder.
    results = [r for r in results if "recbole_reference" in r]
    if not results:
        return out + [NOT_RUN, ""]
    reference = results[0]["recbole_reference"]
    rerun = "RecBole was not rerun here"
    if "result_file" in reference:
        ours = results[0].get("machine", {})
        rerun = (
            "RecBole ran side by side here (`benchmarks/recbole_setup.sh`, "
            "then `benchmarks/recbole_sasrec.py` in its environment) on "
            f"{reference.get('cpus_used')} CPU(s) with "
            f"{reference.get('torch_threads')} torch thread(s), until its "
            "early stopping (validation NDCG@10 not improved for "
            f"{reference.get('stopping_step')} epochs) or its epoch cap; "
            f"ours on {ours.get('cpus_available', '?')} CPU(s) "
            f"(threads: {ours.get('threads', 'default')})"
        )
    out += [
        "Same split and configuration as RecBole (full ranking, "
        "leave-one-out, maxlen 50, d 64, 2 layers, 2 heads, CE loss, batch "
        f"256). RecBole's numbers: {reference['source']}; best 3-epoch "
        "moving average of validation NDCG@10 "
        f"{fmt(reference['target_3_epoch_moving_average'])}, reached after "
        f"{reference['seconds_to_target']:.0f} s "
        f"({reference['seconds_per_epoch']:.0f} s per epoch). {rerun}.",
        "",
    ]
    rows = []
    for r in sorted(results, key=lambda r: (r["backend"], r["seed"])):
        reached = r.get("reached_recbole_target") or {}
        rows.append(
            [
                r["preset"],
                r["backend"],
                str(r["seed"]),
                fmt(r.get("best_3_epoch_moving_average")),
                str(reached.get("epoch", "never")),
                fmt(reached.get("wall_s"), 1),
                fmt(r.get("speedup_vs_recbole_wall"), 1),
                r["date"],
                f"`{r['command']}`",
            ]
        )
    out.append(
        table(
            [
                "preset",
                "backend",
                "seed",
                "best 3-epoch MA val NDCG@10",
                "epoch reaching RecBole's best",
                "wall s to it",
                "x sooner than RecBole",
                "date",
                "command",
            ],
            rows,
        )
    )
    out += ["", f"Machine: {_machine_text(results[0].get('machine'))}.", ""]
    return out


def data_pipeline_section(path: pathlib.Path) -> list[str]:
    """Data pipeline build time, memory and padding (data_pipeline.py)."""
    out = ["## 6. Data pipeline", ""]
    if not path.exists():
        return out + [NOT_RUN, ""]
    result = json.loads(path.read_text(encoding="utf-8"))
    rows = [
        [
            f"{b['rows']:,}",
            b["input_order"],
            fmt(b["build_and_split_seconds"], 2),
            fmt(b["peak_rss_process_gb"], 2),
        ]
        for b in result["build"]
    ]
    out.append(
        table(
            ["interactions", "input order", "build + split s", "peak RSS GB"],
            rows,
        )
    )
    out += ["", "Padding fraction of one epoch (batch 128, max_len 50):", ""]
    rows = []
    for name, parts in result.get("padding", {}).items():
        if not isinstance(parts, dict) or "train_padded" not in parts:
            continue
        rows.append(
            [name]
            + [
                fmt(parts[k]["padding_fraction"], 3)
                for k in (
                    "train_padded",
                    "train_bucketed",
                    "test_padded",
                    "test_bucketed",
                )
            ]
        )
    out.append(
        table(
            [
                "data",
                "train, padded",
                "train, bucketed",
                "test, padded",
                "test, bucketed",
            ],
            rows,
        )
    )
    out += [
        "",
        f"Targets: {result['targets']}. `{result['command']}`, "
        f"{result['date']}, {result['machine'].get('cpu_count')} CPU cores.",
        "",
    ]
    return out


def main(argv: list[str]) -> None:
    del argv
    build_report(
        FLAGS.runs_dir,
        FLAGS.speed_dir,
        FLAGS.gpu_dir,
        FLAGS.plots_dir,
        FLAGS.output,
        FLAGS.zoo_dir,
    )
    print(f"wrote {FLAGS.output}")
    if FLAGS.update_zoo:
        index = index_runs(
            r
            for r in load_json_dir(FLAGS.runs_dir)
            if "preset" in r and "test" in r
        )
        changed = update_zoo(FLAGS.zoo_dir, index)
        print(f"updated results of {len(changed)} presets: {changed}")


if __name__ == "__main__":
    define_flags()
    app.run(main)
