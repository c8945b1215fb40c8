"""Section 3: one suite under every backend, and one model scored on all."""

from __future__ import annotations

from benchmarks import suites
from benchmarks.report.baseline_rows import with_baselines
from benchmarks.report.stats import (
    BACKENDS,
    Summary,
    is_real,
    mean_std,
    noise,
    summarize,
)
from benchmarks.report.tables import (
    NOT_RUN,
    cost_cells,
    fmt,
    fmt_delta,
    fmt_int,
    fmt_ms,
    metric_cells,
    source_note,
    table,
)
from benchmarks.report.text import prose


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
        prose("backends", "intro", run=run),
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
        cells += metric_cells(s, ["recall@10", "ndcg@10", "recall@50", "mrr"])
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
        cells += cost_cells(s)
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
