"""Section 5: time to RecBole's validation quality on MovieLens-100k."""

from __future__ import annotations

from typing import Any

from benchmarks.report.tables import NOT_RUN, fmt, machine_text, table
from benchmarks.report.text import prose


def time_to_quality_section(results: list[dict[str, Any]]) -> list[str]:
    """Time to RecBole's validation quality (benchmarks/time_to_quality.py)."""
    out = [
        "## 5. Time to quality against RecBole 1.2.1 SASRec (MovieLens-100k)",
        "",
    ]
    # recbole_sasrec.py's own result files sit in the same folder.
    recbole = [r for r in results if "library" in r and "config" in r]
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
        prose(
            "time_to_quality",
            "intro",
            source=reference["source"],
            target=fmt(reference["target_3_epoch_moving_average"]),
            seconds=f"{reference['seconds_to_target']:.0f}",
            per_epoch=f"{reference['seconds_per_epoch']:.0f}",
            rerun=rerun,
            config=(
                recbole_config_text(recbole[0]["config"])
                if recbole
                else results[0].get("config", "?")
            ),
        ),
        "",
    ]
    rows = []
    for r in sorted(results, key=lambda r: (str(_recipe(r)), r["seed"])):
        reached = r.get("reached_recbole_target") or {}
        rows.append(
            [
                r["preset"],
                r["backend"],
                _recipe_text(r),
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
                "learning rate, batch",
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
    out += [""] + spread_lines(results)
    out += [f"Machine: {machine_text(results[0].get('machine'))}.", ""]
    return out


def _recipe(result: dict[str, Any]) -> tuple:
    """What a row's runs share: preset, backend, learning rate, batch."""
    return (
        result["preset"],
        result["backend"],
        result.get("learning_rate"),
        result.get("batch_size"),
    )


def _recipe_text(result: dict[str, Any]) -> str:
    """Learning rate and batch size (files from before they were recorded
    ran at the script's defaults then: 0.001 and 256)."""
    lr, batch = result.get("learning_rate"), result.get("batch_size")
    if lr is None and batch is None:
        return "0.001, 256 (defaults then)"
    return f"{lr:g}, {batch}"


def spread_lines(results: list[dict[str, Any]]) -> list[str]:
    """Per recipe, the spread of "x sooner" over its seeds (a seed that
    never reached RecBole's best counts as such, not as a ratio)."""
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for r in results:
        groups.setdefault(_recipe(r), []).append(r)
    lines = []
    for key in sorted(groups, key=str):
        runs = groups[key]
        ratios = [
            r["speedup_vs_recbole_wall"]
            for r in runs
            if r.get("speedup_vs_recbole_wall") is not None
        ]
        missed = len(runs) - len(ratios)
        text = (
            f"mean {sum(ratios) / len(ratios):.1f}x, "
            f"min {min(ratios):.1f}x, max {max(ratios):.1f}x"
            if ratios
            else "no seed reached it"
        )
        lines.append(
            f"- `{key[0]}` on {key[1]} ({_recipe_text(runs[0])}): "
            f"{len(runs)} seed(s), x sooner than RecBole {text}"
            + (f"; {missed} seed(s) never reached it" if missed else "")
            + "."
        )
    return lines + [""]


def recbole_config_text(config: dict[str, Any]) -> str:
    """RecBole's configuration (its result file's `config`) in a few words."""
    return (
        f"maxlen {config['MAX_ITEM_LIST_LENGTH']}, d {config['hidden_size']}, "
        f"{config['n_layers']} layers, {config['n_heads']} heads, "
        f"{config['loss_type']} loss, batch {config['train_batch_size']}"
    )
