"""The PNG plots: validation curves of each study group and backend.

Written into benchmarks/results/plots/ (stale ones removed first, so only
what the results support is there); the links go into section 2.
"""

from __future__ import annotations

import collections
import os
import pathlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from benchmarks import suites
from benchmarks.report.sections.study_groups import GROUPS, Group, group_rows
from benchmarks.report.stats import BACKENDS, pick_backend, summarize
from keras_rec_tx.utils import atomic_path


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
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=90)
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
            with atomic_path(path) as tmp:
                fig.savefig(tmp, dpi=90)
            plt.close(fig)
            links[group.key].append(os.path.relpath(path, doc_dir))
    return dict(links)
