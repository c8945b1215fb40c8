"""Section 1: reproduction of the published numbers, with their noise."""

from __future__ import annotations

import collections
from typing import Any

from benchmarks import suites
from benchmarks.anchor_noise import anchor_noise
from benchmarks.report.baseline_rows import with_baselines
from benchmarks.report.load import ROOT, rel
from benchmarks.report.stats import Summary, summarize
from benchmarks.report.tables import (
    NOT_RUN,
    backend_on,
    fmt,
    label,
    metric_cells,
    run_notes,
    source_note,
    table,
)
from benchmarks.report.targets import TOLERANCES, tolerance_verdict
from benchmarks.report.text import prose

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


def intro(presets: dict[str, Any]) -> str:
    """The paragraph under the title: the tolerances of `TOLERANCES`
    against the anchors of the preset files."""
    values = {}
    for (name, dataset, _), tol in TOLERANCES.items():
        preset = presets.get(name)
        anchor = preset.benchmark.get("anchor", {}) if preset else {}
        name = "games" if dataset == suites.GAMES else "beauty"
        values |= {
            f"{name}_hr": tol["hr@10"],
            f"{name}_ndcg": tol["ndcg@10"],
            f"{name}_anchor_hr": fmt(anchor.get("hr10")),
            f"{name}_anchor_ndcg": fmt(anchor.get("ndcg10")),
        }
    return prose("reproduction", "intro", **values)


def reproduction_section(
    index: dict[tuple, list],
    presets: dict[str, Any],
    anchor_users: dict[str, dict] | None = None,
    baselines: dict[tuple, list[dict]] | None = None,
) -> list[str]:
    out = [
        "## 1. Reproduction of published numbers",
        "",
        intro(presets),
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
        prefix = [label(run.preset, run.tag), run.dataset, run.protocol]
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
                (f"{label(run.preset, run.tag)} ({backend})", s)
            )
            hr, ndcg = s.metric("recall@10")[0], s.metric("ndcg@10")[0]
            full = run.protocol == "full-loo"
            cells = prefix + [backend_on(backend, s.runs), str(s.n)]
            cells += metric_cells(s, ["recall@10", "ndcg@10"])
            cells += (
                metric_cells(s, ["recall@50", "mrr"])
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
        f"- {label(run.preset, run.tag)}: {run.describe()}"
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
        f"- Noise of the anchor of {label(run.preset, run.tag)} on "
        f"{run.dataset} ({s.runs[0].get('backend')} runs): the published "
        "numbers are one training run scored on a random "
        f"{users['anchor_users']:,} of the {users['evaluable_users']:,} "
        f"test users; {how} "
        f"(`{rel(ROOT / 'benchmarks' / 'anchor_noise.py')}`). "
        + "; ".join(parts)
        + "."
    )
