"""Section 1c: the simple baselines of every benchmark (data, protocol)."""

from __future__ import annotations

from benchmarks.report.baseline_rows import baseline_source, not_beaten
from benchmarks.report.stats import Summary
from benchmarks.report.tables import fmt, label, table
from benchmarks.report.text import prose


def baselines_section(
    index: dict[tuple, list], baselines: dict[tuple, list[dict]]
) -> list[str]:
    """The baselines of every benchmark (data, protocol), and the
    untagged presets that do not beat the best of them."""
    out = [
        "## 1c. Simple baselines",
        "",
        prose("baselines", "intro"),
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
            (f"{label(k[0], '')} ({k[4]})", Summary(runs))
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
