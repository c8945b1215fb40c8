"""The model-free baselines (`benchmarks/baselines.py`) in every table.

Loads their result files and turns them into rows of a section's table,
the sentence naming the presets that do not beat them, and their source.
"""

from __future__ import annotations

import collections
import os
from collections.abc import Sequence

from benchmarks.report.load import load_json_dir
from benchmarks.report.stats import Summary
from benchmarks.report.tables import fmt

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
