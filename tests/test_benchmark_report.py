"""benchmarks/report/ on FAKE result files written by this test.

The fixtures below are invented numbers, used only to check the report's
tables, its noise rule and its "not run yet" rows; they are never written
outside pytest's tmp_path. The report needs no Keras backend, so the test
runs in the JAX pass only.
"""

import json
import math
import os
import pathlib
import shutil

import pytest

from benchmarks import anchor_noise, provenance, redefinition
from benchmarks import compile_time as compile_time_benchmark
from benchmarks.report import build, load, stats, tables, zoo_results
from benchmarks.report.sections import (
    backends,
    beat,
    claims,
    compile_time,
    memory,
    study,
    time_to_quality,
)
from benchmarks.report.sections import speed as speed_report
from keras_rec_tx import preset_schema

pytestmark = pytest.mark.skipif(
    os.environ.get("KERAS_BACKEND") != "jax",
    reason="backend-independent: runs once, in the KERAS_BACKEND=jax pass",
)

ROOT = pathlib.Path(__file__).resolve().parent.parent
BEAUTY = "s3rec-amazon-beauty"


def fake_run(preset, seed, recall, ndcg, tag="", user_norm=10.0):
    """A FAKE result file with the schema of benchmarks.runner.run_one."""
    history = [
        {
            "epoch": e,
            "wall_s": 2.0 * e,
            "train_s": 1.5 * e,
            "loss": 5.0 - e,
            "user_norm": user_norm + e,
            "val_ndcg@10": ndcg * e / 3,
            "val_recall@10": recall * e / 3,
            "val_user_norm": user_norm + e,
        }
        for e in (1, 2, 3)
    ]
    return {
        "preset": preset,
        "protocol": "full-loo",
        "seed": seed,
        "num_params": 1000,
        "epochs_run": 3,
        "best_epoch": 3,
        "best_val_ndcg@10": ndcg,
        "history": history,
        "test": {
            "recall@10": recall,
            "ndcg@10": ndcg,
            "recall@50": 2 * recall,
            "ndcg@50": 1.2 * ndcg,
            "mrr": 0.8 * ndcg,
            "user_norm": user_norm,
            "loss": 7.0,
        },
        "train_seconds": 4.5,
        "real_tokens_per_second": 1000.0,
        "peak_rss_mb": 500.0,
        "backend": "jax",
        "machine": {"processor": "fake-cpu", "cpu_count": 2},
        "dataset": BEAUTY,
        "tag": tag,
        "overrides": {},
        "training_overrides": {},
        "wall_seconds": 6.0,
        "date": f"2000-01-0{seed + 1}T00:00:00+00:00",
        "command": "fake fixture",
    }


FAKE_RUNS = [
    # sasrec_plus: NDCG 0.050/0.052/0.054 (mean 0.052, std 0.002).
    fake_run("sasrec_plus", 0, 0.090, 0.050),
    fake_run("sasrec_plus", 1, 0.092, 0.052),
    fake_run("sasrec_plus", 2, 0.094, 0.054),
    # rope: NDCG 0.060/0.061/0.062 (mean 0.061, std 0.001): a real gain.
    fake_run("rope", 0, 0.091, 0.060),
    fake_run("rope", 1, 0.092, 0.061),
    fake_run("rope", 2, 0.093, 0.062),
    # rope_learned: one seed only, so no noise estimate.
    fake_run("rope_learned", 0, 0.095, 0.053),
    # sasrec_ss (the reproduction): as sasrec_plus.
    fake_run("sasrec_ss", 0, 0.090, 0.050),
    fake_run("sasrec_ss", 1, 0.092, 0.052),
    fake_run("sasrec_ss", 2, 0.094, 0.054),
]

FAKE_SPEED = {
    "benchmark": "speed",
    "backend": "jax",
    "date": "2000-01-01T00:00:00+00:00",
    "command": "fake fixture",
    "machine": {"processor": "fake-cpu", "cpu_count": 2},
    "settings": {"batch_size": 128},
    "load_average_start": [1.0, 1.0, 1.0],
    "load_average_end": [1.0, 1.0, 1.0],
    "matmul_peak": {"n": 64, "gflops": 100.0},
    "matmul_peak_end": {"n": 64, "gflops": 90.0},
    "training": [
        {
            "preset": "rope_swiglu",
            "table": "main",
            "jit_compile": True,
            "lengths": "full",
            "step_ms_median": 12.5,
            "real_tokens_per_s": 54321.0,
            "computed_tokens_per_s": 54321.0,
            "flops_per_token_at_max_len": {"total": 4.0e5},
            "model_gflops_per_s": 21.7,
            "mfu": 0.217,
            "useful_mfu": 0.217,
        }
    ],
    "norm": [
        {
            "shape": [128, 50, 64],
            "rmsnorm_ms": 1.0,
            "layernorm_ms": 2.0,
            "rmsnorm_over_layernorm": 0.5,
        }
    ],
    "eval": [
        {
            "preset": "rope_swiglu",
            "jit_compile": True,
            "num_items": 23715,
            "users": 100,
            "users_per_s": 777.0,
        }
    ],
}


@pytest.fixture
def dirs(tmp_path):
    runs = tmp_path / "runs"
    runs.mkdir()
    for run in FAKE_RUNS:
        name = (
            f"{run['preset']}__{BEAUTY}__full-loo__jax__seed{run['seed']}.json"
        )
        (runs / name).write_text(json.dumps(run))
    speed = tmp_path / "speed"
    speed.mkdir()
    (speed / "jax.json").write_text(json.dumps(FAKE_SPEED))
    zoo = tmp_path / "zoo"
    zoo.mkdir()
    for name in ("sasrec", "sasrec_ss", "sasrec_plus", "rope", "rmsnorm"):
        shutil.copy(ROOT / "zoo" / f"{name}.json", zoo / f"{name}.json")
    return tmp_path


def _build(dirs):
    return build.build_report(
        dirs / "runs",
        dirs / "speed",
        dirs / "gpu",
        dirs / "plots",
        dirs / "BENCHMARKS.md",
        dirs / "zoo",
    )


def _row(text, start):
    rows = [line for line in text.splitlines() if line.startswith(start)]
    assert rows, f"no row starting with {start!r}"
    return rows[0]


def _section(text, title):
    start = text.index(title)
    end = text.find("\n### ", start + 1)
    return text[start : end if end > 0 else None]


def test_noise_rule():
    assert stats.noise(0.002, 3, 0.001, 3) == pytest.approx(
        2 * math.sqrt(0.002**2 / 3 + 0.001**2 / 3)
    )
    assert stats.noise(None, 1, 0.001, 3) is None
    assert stats.noise(0.002, 1, 0.001, 3) is None
    assert stats.is_real(0.003, 0.002) == "yes"
    assert stats.is_real(-0.003, 0.002) == "yes"
    assert stats.is_real(0.001, 0.002) == "no"
    assert stats.is_real(0.001, None).startswith("n/a")
    mean, std = stats.mean_std([0.050, 0.052, 0.054])
    assert mean == pytest.approx(0.052)
    assert std == pytest.approx(0.002)  # sample std (ddof 1)


def test_study_table_rows(dirs):
    text = _build(dirs)
    positions = _section(text, "### Position encodings")
    base = _row(positions, "| `sasrec_plus` |")
    assert "| 3 | 0.0920 ± 0.0020 | 0.0520 ± 0.0020 | base |" in base
    rope = _row(positions, "| `rope` |")
    noise = 2 * math.sqrt(0.002**2 / 3 + 0.001**2 / 3)
    assert "0.0610 ± 0.0010" in rope
    # Recall: +0.0000 is not real; NDCG: +0.0090 > noise is real.
    assert f"| +0.0000 ({noise:.4f}) | no |" in rope
    assert f"| +0.0090 ({noise:.4f}) | yes |" in rope
    learned = _row(positions, "| `rope_learned` |")
    assert "| 1 | 0.0950 | 0.0530 |" in learned
    assert "n/a (< 2 seeds)" in learned
    assert "fake fixture" in positions  # the source line names the command
    norm = _section(text, "### LayerNorm vs RMSNorm")
    assert "| `rmsnorm` | not run yet |" in norm
    ffn = _section(text, "### Feed-forward network")
    assert "| `sasrec_plus` [dff2] | not run yet |" in ffn


def test_reproduction_and_backends(dirs):
    text = _build(dirs)
    repro = _row(text, "| `sasrec_ss` | s3rec-amazon-beauty | full-loo |")
    assert "| jax | 3 | 0.0920 ± 0.0020 | 0.0520 ± 0.0020 |" in repro
    assert "0.0921" in repro and "0.0531" in repro  # the anchor
    assert "**yes**" in repro  # 0.092 >= 0.089 and 0.052 >= 0.0515
    games = _row(text, "| `sasrec` | sasrec-amazon-games | sampled-100 |")
    assert "not run yet" in games
    backends = _section(text, "## 3. Across backends")
    for backend in ("jax", "tensorflow", "torch"):
        assert f"| {backend} | not run yet |" in backends


def test_backends_compare_only_runs_on_the_same_batches():
    runs = []
    for backend, ndcg in (("jax", 0.05), ("tensorflow", 0.06), ("torch", 0.04)):
        for seed in range(3):
            run = fake_run("rope_swiglu", seed, 0.09, ndcg + 0.001 * seed)
            run["backend"] = backend
            run["training"] = {"epochs": 3, "token_weighting": True}
            if backend == "torch":  # an older file
                del run["training"]["token_weighting"]
            run["_file"] = f"{backend}{seed}.json"
            runs.append(run)
    text = "\n".join(backends.backends_section(load.index_runs(runs)))
    # best val NDCG@10, then the test Δ
    assert "| 0.0610 ± 0.0010 | +0.0100 (0.0016) | yes |" in _row(
        text, "| tensorflow |"
    )
    assert (
        "| — | not comparable: bucketed batches without token weighting |"
        in _row(text, "| torch |")
    )


def test_backends_cite_the_cross_backend_evaluation():
    scores = {b: {"ndcg@10": 0.0484} for b in ("tensorflow", "jax", "torch")}
    evaluation = {
        "run": "rope_swiglu",
        "dataset": "s3rec-amazon-beauty",
        "trained_on": "tensorflow",
        "seed": 0,
        "best_epoch": 26,
        "test_of_saved_model": scores,
        "largest_difference": {"ndcg@10": 7.45e-9, "mrr": 1.5e-8},
        "_file": "diag.json",
        "command": "cross_backend_eval.py",
        "date": "2026-11-28",
    }
    other = dict(evaluation, dataset="ml-100k")
    text = "\n".join(backends.backends_section({}, [evaluation, other]))
    assert "NDCG@10 tensorflow 0.0484, jax 0.0484, torch 0.0484" in text
    assert "is 1.5e-08" in text and "`diag.json`" in text
    assert text.count("Evaluation alone") == 1  # not the other dataset


def test_speed_tables(dirs):
    text = _build(dirs)
    speed = text[text.index("## 4. Speed") :]
    # The fixture's row records no definition: it may be an earlier one.
    row = _row(speed, "| `rope_swiglu` | 54,321† |")
    assert "| not run yet | not run yet | 21.70% |" in row
    assert speed_report.UNCONFIRMED_NOTE in speed
    assert "| jax | 100.0 / 90.0 (n=64) | 1.000 | 2.000 | 0.50 |" in speed
    assert "| jax | `rope_swiglu` | True | 23,715 | 100 | 777 |" in speed
    assert "| jax | `rope_swiglu`† | True | full | 12.5 |" in speed
    assert "| tensorflow | not run yet |" in speed


def test_speed_rows_of_an_earlier_definition_are_marked():
    presets = load.load_presets(ROOT / "zoo")
    preset = presets["rope_swiglu"]
    overrides = {"num_items": 100, "max_len": 50}
    row = {
        "preset": "rope_swiglu",
        "architecture": preset.resolved_architecture(overrides),
        "overrides": overrides,
        "training": preset.training.to_dict(),
    }
    assert speed_report.unconfirmed(row, presets) == ""
    assert speed_report.unconfirmed(row, None) == ""  # nothing to compare
    older = {**row, "architecture": {**row["architecture"], "d_model": 32}}
    assert speed_report.unconfirmed(older, presets) == "†"
    unrecorded = {"preset": "rope_swiglu"}
    assert speed_report.unconfirmed(unrecorded, presets) == "†"


def test_plots_written_and_linked(dirs):
    text = _build(dirs)
    plot = dirs / "plots" / "positions_val_ndcg.png"
    assert plot.exists() and plot.stat().st_size > 1000
    assert "](plots/positions_val_ndcg.png)" in text
    assert (dirs / "plots" / "penalty_user_norm.png").exists()
    assert "](plots/penalty_user_norm.png)" in text
    assert not (dirs / "plots" / "time_val_ndcg.png").exists()  # no runs


def test_zoo_results_update(dirs):
    zoo = dirs / "zoo"
    before = {p.name: p.read_text() for p in zoo.glob("*.json")}
    runs = [
        r
        for r in load.load_json_dir(dirs / "runs")
        if "preset" in r and "test" in r
    ]
    changed = zoo_results.update_zoo(zoo, load.index_runs(runs))
    assert sorted(changed) == ["rope", "sasrec_plus", "sasrec_ss"]
    # The hand-written preset files are never written.
    assert {p.name: p.read_text() for p in zoo.glob("*.json")} == before
    assert sorted(p.name for p in (zoo / "results").glob("*.json")) == [
        "rope.json",
        "sasrec_plus.json",
        "sasrec_ss.json",
    ]
    text = (zoo / "results" / "sasrec_plus.json").read_text()
    results = json.loads(text)
    assert text == json.dumps(results, indent=2, ensure_ascii=False) + "\n"
    assert results["dataset"] == BEAUTY
    assert results["protocol"] == "full-loo"
    assert results["seeds"] == [0, 1, 2]
    assert results["backend"] == "jax"
    assert results["hr@10"]["mean"] == pytest.approx(0.092)
    assert results["ndcg@10"]["std"] == pytest.approx(0.002)
    assert results["hr@50"]["mean"] == pytest.approx(0.184)
    assert len(results["source"]) == 3
    assert results["command"] == "fake fixture"
    # The preset reader joins them; a second pass changes nothing.
    assert preset_schema.resolve("sasrec_plus", zoo).results == results
    assert zoo_results.update_zoo(zoo, load.index_runs(runs)) == []
    # Without its runs (e.g. all of an earlier definition) a preset loses
    # its results rather than keep numbers that are no longer its own.
    rest = [r for r in runs if r["preset"] != "rope"]
    assert zoo_results.update_zoo(zoo, load.index_runs(rest)) == ["rope"]
    assert preset_schema.resolve("rope", zoo).results == {}


def test_zoo_results_prefer_runs_with_token_weighting(dirs):
    old = []
    for seed in range(4):
        run = fake_run("sasrec_plus", seed, 0.08, 0.04)
        run["backend"] = "torch"
        run["training"] = {"epochs": 3}  # bucketed, before token weighting
        old.append(run)
    new = []
    for seed in range(2):
        run = fake_run("sasrec_plus", seed, 0.09, 0.05)
        run["backend"] = "tensorflow"
        run["training"] = {"epochs": 3, "token_weighting": True}
        new.append(run)
    for run in old + new:
        run["_file"] = f"{run['backend']}{run['seed']}.json"
    zoo = dirs / "zoo"
    zoo_results.update_zoo(zoo, load.index_runs(old + new))
    results = json.loads((zoo / "results" / "sasrec_plus.json").read_text())
    assert results["backend"] == "tensorflow" and results["seeds"] == [0, 1]
    zoo_results.update_zoo(zoo, load.index_runs(old))
    results = json.loads((zoo / "results" / "sasrec_plus.json").read_text())
    assert results["backend"] == "torch" and len(results["seeds"]) == 4


def test_study_table_moves_to_the_backend_of_the_rerun():
    def runs(preset, backend, seeds, weighted):
        out = []
        for seed in seeds:
            run = fake_run(preset, seed, 0.08, 0.04)
            run["backend"] = backend
            run["training"] = {"epochs": 3}
            if weighted:
                run["training"]["token_weighting"] = True
            out.append(run)
        return out

    group = study.GROUPS[0]  # positions: sasrec_plus, rope, rope_learned
    old = [
        run
        for preset, _ in group.rows
        for run in runs(preset, "jax", range(3), weighted=False)
    ]
    new = runs("sasrec_plus", "tensorflow", range(2), weighted=True)
    text, used, backend = study.study_table(group, load.index_runs(old))
    assert backend == "jax" and len(used) == 9
    text, used, backend = study.study_table(group, load.index_runs(old + new))
    # Two runs of the rerun outrank nine older ones; rows not rerun yet
    # say so instead of borrowing the older backend's numbers.
    assert backend == "tensorflow" and len(used) == 2
    assert text.count(tables.NOT_RUN) == 2


def test_beat_section_lists_gpu_configurations_apart(dirs):
    config_tag = beat.BEAT_CONFIGS[0].tag
    for seed in range(3):
        run = fake_run("sasrec_plus", seed, 0.1, 0.07, tag=config_tag)
        run["stopped_by_time_limit"] = seed == 0
        run["time_limit_s"] = 300.0
        name = f"sasrec_plus__{BEAUTY}__full-loo__jax__seed{seed}__{config_tag}"
        (dirs / "runs" / f"{name}.json").write_text(json.dumps(run))
        # A tag that is no gpu-suite configuration stays out of the table.
        other = fake_run("sasrec_plus", seed, 0.2, 0.09, tag="other")
        name = f"sasrec_plus__{BEAUTY}__full-loo__jax__seed{seed}__other"
        (dirs / "runs" / f"{name}.json").write_text(json.dumps(other))
    beauty = _section(_build(dirs), "### s3rec-amazon-beauty, full-loo")
    rows = [line for line in beauty.splitlines() if line.startswith("| `")]
    assert rows[0].startswith(f"| `sasrec_plus` [{config_tag}] |")
    assert "reached, but by a configuration, not a preset" in rows[0]
    assert "1 of 3 stopped by the time limit (300 s)" in rows[0]
    assert not any("[other]" in row for row in rows)
    # The presets' verdicts do not change.
    assert rows[1].startswith("| `rope` |") and "| **yes** |" in rows[1]


def test_beat_section_ranks_presets_and_needs_three_seeds(dirs):
    text = _build(dirs)
    beauty = _section(text, "### s3rec-amazon-beauty, full-loo")
    rows = [line for line in beauty.splitlines() if line.startswith("| `")]
    # Best mean NDCG@10 first: rope 0.061 > rope_learned 0.053 > 0.052.
    assert [row.split("`")[1] for row in rows] == [
        "rope",
        "rope_learned",
        "sasrec_plus",
        "sasrec_ss",  # as sasrec_plus: a tie keeps the name order
    ]
    assert rows[0].endswith("| **yes** |  |")  # 3 seeds, 0.061 >= 0.056
    # The cost beside the quality: epochs (best), train s, real tokens/s.
    assert "| 3.0 (best 3.0) | 4 | 1,000 | **yes** |" in rows[0]
    assert "no (n < 3)" in rows[1]
    assert rows[2].endswith("| no |  |")  # 3 seeds, 0.052 < 0.056
    games = _section(text, "### sasrec-amazon-games, sampled-100")
    assert "recall@10 ≥ 0.7632, ndcg@10 ≥ 0.5521" in games
    assert "no result files yet" in games


def test_time_to_quality_names_where_recbole_ran():
    ours = {
        "preset": "sasrec_plus",
        "backend": "jax",
        "seed": 0,
        "best_3_epoch_moving_average": 0.09,
        "reached_recbole_target": {"epoch": 5, "wall_s": 100.0},
        "speedup_vs_recbole_wall": 20.0,
        "date": "2000-01-01T00:00:00+00:00",
        "command": "fake fixture",
        "machine": {"processor": "fake-cpu"},
        "recbole_reference": {
            "source": "RecBole 1.2.1 SASRec run on this machine",
            "target_3_epoch_moving_average": 0.07,
            "seconds_to_target": 2000.0,
            "seconds_per_epoch": 150.0,
            "result_file": "recbole_sasrec__seed0.json",
        },
    }
    recbole_file = {"library": "RecBole 1.2.1 SASRec", "history": []}
    text = "\n".join(
        time_to_quality.time_to_quality_section([ours, recbole_file])
    )
    assert "RecBole ran side by side here" in text
    assert "NDCG@10 0.0700, reached after 2000 s (150 s per epoch)" in text
    assert (
        "| sasrec_plus | jax | 0.001, 256 (defaults then) | 0 | 0.0900 | 5 "
        "| 100.0 | 20.0 |" in text
    )
    # The spread per recipe; a seed that never got there is not a ratio.
    tuned = [
        dict(ours, seed=s, learning_rate=0.005, batch_size=128, **extra)
        for s, extra in enumerate(
            [
                {"speedup_vs_recbole_wall": 60.0},
                {"speedup_vs_recbole_wall": 40.0},
                {"speedup_vs_recbole_wall": None},
            ]
        )
    ]
    text = "\n".join(time_to_quality.time_to_quality_section([ours] + tuned))
    assert (
        "- `sasrec_plus` on jax (0.005, 128): 3 seed(s), x sooner than "
        "RecBole mean 50.0x, min 40.0x, max 60.0x; 1 seed(s) never reached "
        "it." in text
    )
    del ours["recbole_reference"]["result_file"]
    text = "\n".join(time_to_quality.time_to_quality_section([ours]))
    assert "RecBole was not rerun here" in text


def test_compile_time_is_the_first_epoch_beyond_a_steady_one():
    history = [  # cumulative, as experiment.run's EpochLog writes them
        {"epoch": 1, "train_s": 30.0, "wall_s": 40.0},
        {"epoch": 2, "train_s": 32.0, "wall_s": 43.0},
        {"epoch": 3, "train_s": 34.0, "wall_s": 46.0},
    ]
    epochs = compile_time_benchmark.split_epochs(history)
    assert epochs[1] == {"epoch": 2, "train_s": 2.0, "valid_s": 1.0}
    seconds = compile_time_benchmark.compile_seconds(epochs)
    assert seconds["compile_train_s"] == 28.0
    assert seconds["compile_valid_s"] == 9.0
    result = {
        "benchmark": "compile_time",
        "preset": "rope_swiglu",
        "dataset": "ml-100k",
        "backend": "jax",
        "jax_cache": "warm",
        "epochs": 3,
        "epoch_seconds": epochs,
        **seconds,
        "fit_s": 46.0,
        "compile_share": 37.0 / 46.0,
        "target_share": 0.1,
        "meets_target": False,
        "fit_cpu_per_wall_second": 0.5,
        "train_shapes": [[47, 50], [128, 50]],
        "valid_shapes": [[256, 50]],
        "date": "2000-01-01T00:00:00+00:00",
        "command": "fake fixture",
        "_file": "fake.json",
    }
    text = "\n".join(compile_time.compile_time_section([result]))
    assert "| jax | warm | 2 / 1 | 30.0 / 10.0 | 2.0 / 1.0 | 37.0 |" in text
    assert "| 46.0 | 80% | no | — | 0.50 |" in text  # older files
    # CPU seconds (EpochLog's cpu_s, train_cpu_s), where recorded.
    for row, cpu, train_cpu in zip(history, (20, 21.5, 23), (15, 16, 17)):
        row.update(cpu_s=float(cpu), train_cpu_s=float(train_cpu))
    epochs = compile_time_benchmark.split_epochs(history)
    assert epochs[1] == {
        "epoch": 2,
        "train_s": 2.0,
        "valid_s": 1.0,
        "train_cpu_s": 1.0,
        "valid_cpu_s": 0.5,
    }
    seconds = compile_time_benchmark.compile_seconds(epochs)
    assert seconds["compile_train_s"] == 28.0  # as before
    assert seconds["compile_train_cpu_s"] == 14.0
    assert seconds["compile_valid_cpu_s"] == 4.5
    assert seconds["compile_cpu_s"] == 18.5
    result.update(seconds, compile_cpu_share=18.5 / 23.0)
    text = "\n".join(compile_time.compile_time_section([result]))
    assert "| 46.0 | 80% | no | 80% | 0.50 |" in text
    assert "at most 10%" in text
    assert "not run yet" in "\n".join(compile_time.compile_time_section([]))
    # Where JAX's compiling went: its own duration events, counted live.
    import jax

    stages = compile_time_benchmark.record_jax_compile_events()
    jax.jit(lambda x: x * 3.0 + 1.0)(jax.numpy.arange(7.0)).block_until_ready()
    assert all(v["programs"] >= 1 for v in stages.values()), stages
    assert stages["xla_compile_or_cache_read"]["seconds"] > 0
    result["jax_compile_stages"] = {
        "trace": {"seconds": 1.0, "programs": 3},
        "lower": {"seconds": 0.5, "programs": 3},
        "xla_compile_or_cache_read": {"seconds": 20.0, "programs": 3},
    }
    text = "\n".join(compile_time.compile_time_section([result]))
    assert (
        "- JAX, cache warm: tracing 1.0 s, lowering to MLIR 0.5 s, XLA "
        "compiling (or reading the cache) 20.0 s, over 3 programs"
    ) in text


def test_run_notes_flag_runs_stopped_by_the_epoch_cap():
    training = {"epochs": 150, "token_weighting": True}
    capped = {"epochs_run": 150, "best_epoch": 135, "training": training}
    early = {"epochs_run": 90, "best_epoch": 40, "training": training}
    note = tables.run_notes([capped, early])
    assert (
        note == "1 of 2 ran into the epoch cap (150) with the best epoch at 135"
    )
    assert tables.run_notes([early]) == ""
    # Bucketed runs from before token weighting say so; unbucketed do not.
    old = {"epochs_run": 90, "best_epoch": 40, "training": {"epochs": 150}}
    padded = dict(old, training={"epochs": 150, "bucketing": False})
    assert tables.run_notes([old, early, padded]) == (
        "1 of 3 trained on bucketed batches without token weighting"
    )
    assert tables.overrides_text([{"overrides": {"b": 1, "a": "x"}}]) == (
        "a='x', b=1"
    )
    # The training recipe too: warm restarts are what made one run lead.
    recipe = {"validate_every": 1, "schedule": "cosine_restarts"}
    assert tables.overrides_text(
        [{"overrides": {"a": 1}, "training_overrides": recipe}]
    ) == ("a=1; training: schedule='cosine_restarts'")
    # And a budget other than the preset's (a suite's epochs= / patience=).
    sasrec = preset_schema.resolve("sasrec").training
    budget = {
        "epochs": 7,
        "early_stopping_patience": sasrec.early_stopping_patience,
    }
    assert tables.overrides_text(
        [{"preset": "sasrec", "training": budget}]
    ) == ("training: epochs=7")


def test_run_notes_flag_runs_that_shared_their_cpu():
    training = {"epochs": 60, "token_weighting": True}
    base = {"epochs_run": 30, "best_epoch": 20, "training": training}

    def run(share, cpus):
        return dict(
            base,
            fit_cpu_per_wall_second=share,
            machine={"cpus_available": cpus},
        )

    alone, shared = run(0.97, 1), run(0.61, 1)
    load.index_runs([])
    assert tables.run_notes([alone]) == ""
    assert tables.run_notes([alone, shared]) == (
        "1 of 2 got much less of their one CPU than their backend's runs "
        "usually do (CPU seconds per wall second of training: 0.61): the "
        "CPU was likely shared, so their times are inflated"
    )
    # Several CPUs (a GPU machine) or no record (older files): not judged.
    assert tables.run_notes([run(0.61, 16), base]) == ""
    # Judged against the backend's usual share: a backend whose runs use
    # 0.75 of their core flags 0.5, not 0.7.
    usual = [
        dict(
            fake_run("sasrec", seed, 0.1, 0.05),
            backend="tensorflow",
            fit_cpu_per_wall_second=0.75,
            machine={"cpus_available": 1},
        )
        for seed in range(3)
    ]
    load.index_runs(usual)
    assert stats.TYPICAL_CPU_SHARE == {"tensorflow": 0.75}
    assert tables.run_notes([dict(run(0.7, 1), backend="tensorflow")]) == ""
    assert "0.50" in tables.run_notes([dict(run(0.5, 1), backend="tensorflow")])
    load.index_runs([])


def test_times_leave_out_runs_that_shared_their_cpu():
    def run(seed, share, seconds):
        return dict(
            fake_run("rope_swiglu", seed, 0.09, 0.05),
            backend="jax",
            fit_cpu_per_wall_second=share,
            train_seconds=seconds,
            real_tokens_per_second=1000.0 * 100 / seconds,
            machine={"cpus_available": 1},
        )

    alone = [run(seed, 1.0, 100.0) for seed in range(3)]
    index = load.index_runs(alone + [run(3, 0.5, 300.0)])
    (runs,) = index.values()
    cells = tables.cost_cells(stats.Summary(runs))
    assert cells[1:] == ["100 (3 of 4 runs)", "1,000 (3 of 4 runs)"]
    index = load.index_runs(alone)
    (runs,) = index.values()
    assert tables.cost_cells(stats.Summary(runs))[1:] == ["100", "1,000"]
    load.index_runs([])


def test_anchor_noise_bounds_user_sampling_and_adds_seed_noise():
    # A hit rate's mean over all users has no sampling noise; over n of a
    # much larger population, about sqrt(p (1 - p) / n).
    assert anchor_noise.sampling_std(0.7, 500, 500) == 0.0
    assert anchor_noise.sampling_std(0.7, 100, 10**9) == pytest.approx(
        math.sqrt(0.21 / 100), rel=1e-6
    )
    with pytest.raises(ValueError, match="sampled"):
        anchor_noise.sampling_std(0.7, 0, 10)
    seed = 0.02
    users = math.sqrt(0.25 / 100)
    # Our runs score every user: the anchor's sd adds the user draw.
    a = anchor_noise.anchor_noise(
        0.50, [0.48, 0.50, 0.46], 100, 10**9, ours_sampled=False
    )
    assert a["delta"] == pytest.approx(-0.02)
    assert a["seed_std"] == pytest.approx(seed)
    assert a["user_sampling_std"] == pytest.approx(users, rel=1e-6)
    assert a["anchor_std"] == pytest.approx(math.hypot(seed, users))
    sd = math.sqrt(seed**2 + users**2 + seed**2 / 3)
    assert a["delta_in_std"] == pytest.approx(-0.02 / sd)
    # Our runs draw users per seed as the anchor did: the seed spread
    # already holds the user draw.
    b = anchor_noise.anchor_noise(0.50, [0.48, 0.50, 0.46], 100, 10**9)
    assert b["anchor_std"] == pytest.approx(seed)
    assert b["delta_std"] == pytest.approx(seed * math.sqrt(1 + 1 / 3))
    with pytest.raises(ValueError, match="2 seeds"):
        anchor_noise.anchor_noise(0.5, [0.5], 100, 1000)


def test_reproduction_note_on_anchor_noise(dirs):
    games = "sasrec-amazon-games"
    for seed, (hr, ndcg) in enumerate([(0.73, 0.52), (0.74, 0.53)]):
        run = fake_run("sasrec", seed, hr, ndcg)
        run.update(dataset=games, protocol="sampled-100")
        name = f"sasrec__{games}__sampled-100__torch__seed{seed}.json"
        (dirs / "runs" / name).write_text(json.dumps(run))
    assert "Noise of the anchor" not in _build(dirs)  # no user count yet
    (dirs / "diagnostics").mkdir()
    users = {"dataset": games, "evaluable_users": 30000, "anchor_users": 10000}
    path = dirs / "diagnostics" / f"anchor_users__{games}.json"
    path.write_text(json.dumps(users))
    note = _row(_build(dirs), "- Noise of the anchor of `sasrec`")
    assert "our runs score every user" in note
    path.write_text(json.dumps({**users, "sampled_100_users": 10000}))
    note = _row(_build(dirs), "- Noise of the anchor of `sasrec`")
    assert "random 10,000 of the 30,000 test users" in note
    assert "a fresh 10,000 per seed too" in note
    assert "our 2 seeds" in note
    expected = anchor_noise.anchor_noise(0.741, [0.73, 0.74], 10000, 30000)
    delta, in_sd = expected["delta"], expected["delta_in_std"]
    assert f"Δ {delta:+.4f} = {in_sd:+.1f} sd" in note


def fake_baseline(name, recall, ndcg, params):
    """A FAKE result file with the schema of benchmarks/baselines.py."""
    metrics = {"recall@10": recall, "ndcg@10": ndcg, "recall@50": 0.2}
    metrics.update({"ndcg@50": 0.1, "mrr": 0.04})
    return {
        "baseline": name,
        "dataset": BEAUTY,
        "protocol": "full-loo",
        "seed": 0,
        "hyperparameters": params,
        "fit_seconds": 1.25,
        "valid": metrics,
        "test": metrics,
        "grid": [{"hyperparameters": params, "valid": metrics}] * 3,
        "date": "2000-01-01T00:00:00+00:00",
        "command": "fake fixture",
    }


def test_every_table_shows_the_baselines_and_who_does_not_beat_them(dirs):
    folder = dirs / "baselines"
    folder.mkdir()
    for r in (
        fake_baseline("most_popular", 0.01, 0.005, {}),
        # NDCG@10 0.055: above sasrec_plus (0.052) and rope_learned
        # (0.053), below rope (0.061); HR@10 below all of them.
        fake_baseline("markov", 0.05, 0.055, {"backoff": 0.1}),
    ):
        name = f"{r['baseline']}__{BEAUTY}__full-loo.json"
        (folder / name).write_text(json.dumps(r))
    text = _build(dirs)
    row = "| baseline `markov` (backoff=0.1) |"
    study = _section(text, "### Position encodings")
    assert f"{row} 1 | 0.0500 | 0.0550 |" in study
    assert "| 1.2 |" in _row(study, row) or "| 1.3 |" in _row(study, row)
    verdict = _row(study, "**Not better than the best baseline**")
    assert "`sasrec_plus` (NDCG@10 0.0520 ≤ `markov` 0.0550)" in verdict
    assert "`rope_learned`" in verdict and "`rope`" not in verdict
    repro = _row(text, f"{row} {BEAUTY} | full-loo |")
    assert "0.0500 | 0.0550 | 0.2000 | 0.0400" in repro
    assert "fit 1.2 s" in repro or "fit 1.3 s" in repro
    beat = _section(text, f"### {BEAUTY}, full-loo")
    assert row in beat and "Not better than the best baseline" in beat
    assert row in _section(text, "## 3. Across backends")
    summary = text[text.index("## 1c.") : text.index("## 2.")]
    assert "| `markov` | backoff=0.1 | 0.0550 |" in summary
    assert "`most_popular`" in summary
    # No result file, no baseline row.
    assert "baseline `ease`" not in text


def test_diverged_or_non_finite_results_are_left_out(tmp_path, capsys):
    good = fake_run("a", 0, 0.5, 0.3)
    diverged = {**fake_run("a", 1, 0.5, 0.3), "diverged": True}
    diverged["error"] = "Training diverged: the loss became nan"
    infinite = fake_run("a", 2, 0.5, 0.3)
    infinite["test"]["ndcg@10"] = float("inf")
    for name, run in (("g", good), ("d", diverged), ("i", infinite)):
        (tmp_path / f"{name}.json").write_text(json.dumps(run))
    loaded = load.load_json_dir(tmp_path)
    assert [r["seed"] for r in loaded] == [0]
    err = capsys.readouterr().err
    assert "d.json: training diverged" in err
    assert "i.json: non-finite value inf at test.ndcg@10" in err


def test_claims_are_judged_on_the_study_runs():
    text = "\n".join(claims.claims_table(load.index_runs(FAKE_RUNS)))
    rows = {
        line.split(" | ")[0].strip("| "): line for line in text.splitlines()
    }
    # rope's Recall@10 equals the base's: nothing lost, the claim holds.
    assert "3 vs 3 (jax) | yes" in rows["RoPE replaces learned positions"]
    assert tables.NOT_RUN in rows["Bias-free SwiGLU at equal parameters"]
    # The base's training norm peaks at 13: a hinge at tau 180 never binds,
    # one at tau 12 may, so only its row waits for its runs.
    assert (
        "peaks at 13.0 in training, below tau 180"
        in rows["Hinge penalty, tau 180"]
    )
    assert "no (never binds here)" in rows["Hinge penalty, tau 180"]
    tau12 = rows["Hinge penalty at a tau that binds here (12)"]
    assert tau12.endswith(f"| {tables.NOT_RUN} | — | — |")
    assert claims.verdict(0.01, 0.005, +1) == "yes"
    assert claims.verdict(-0.01, 0.005, +1) == "no (the opposite)"
    assert claims.verdict(0.001, 0.005, +1) == "no (within noise)"
    assert claims.verdict(-0.01, 0.005, 0) == "no (a real loss)"
    assert claims.verdict(0.01, None, 0) == "n/a (< 2 seeds)"
    # A claimed cost of a given size: judged by that size.
    within = "yes (within noise of the claimed change)"
    assert claims.verdict(-0.012, 0.01, 0, claimed=-0.007) == within
    assert claims.verdict(-0.03, 0.01, 0, claimed=-0.007) == (
        "no (below the claimed change beyond noise)"
    )
    assert claims.verdict(0.01, 0.01, 0, claimed=-0.007) == (
        "no (above the claimed change beyond noise)"
    )


def test_memory_groups_runs_by_backend_and_accelerator():
    def run(backend, rss, accelerator=None, tag=None):
        machine = {"accelerator": accelerator} if accelerator else {}
        return {
            "preset": "p",
            "dataset": "d",
            "protocol": "full-loo",
            "backend": backend,
            "peak_rss_mb": rss,
            "machine": machine,
            "tag": tag,
        }

    runs = [
        run("jax", 1000),
        run("jax", 3000, tag="big"),
        run("jax", 2000),
        run("jax", 500, accelerator="GPU X"),
        run("torch", None),  # records no peak: left out
    ]
    text = "\n".join(memory.memory_section(runs, []))
    cpu = "| d | full-loo | jax | CPU only | 3 | 2,000 | 3,000 (`p`, big) |"
    gpu = "| d | full-loo | jax | GPU X | 1 | 500 | 500 (`p`, untagged) |"
    assert cpu in text and gpu in text
    assert "torch" not in text


def test_runs_of_an_earlier_preset_definition_are_set_aside():
    presets = load.load_presets(ROOT / "zoo")
    # What a result file records: the model's whole config.
    recorded = {**presets["sasrec_plus"].architecture, "num_items": 99}
    as_now = {**fake_run("sasrec_plus", 0, 0.09, 0.05), "architecture": {}}
    as_now["architecture"] = recorded  # num_items is the data's
    earlier = {**fake_run("sasrec_plus", 1, 0.09, 0.05), "architecture": {}}
    earlier["architecture"] = {**recorded, "d_model": 32}
    overridden = {**earlier, "seed": 2, "overrides": {"d_model": 32}}
    kept, moved, explained = load.set_aside_redefined(
        [as_now, earlier, overridden], presets
    )
    assert kept["tag"] == "" and "_redefined" not in kept
    assert explained["tag"] == "" and "_redefined" not in explained
    assert moved["tag"] == load.EARLIER_DEFINITION
    assert moved["_redefined"] == ["d_model: ran 32, preset now 64"]
    assert (
        "1 of 1 made with an earlier definition of the preset (d_model: "
        in (tables.run_notes([moved]))
    )
    # An argument the file does not record (newer than the file) ran at
    # the model's default; a preset that now sets it otherwise differs.
    older = {**as_now, "architecture": dict(recorded)}
    del older["architecture"]["norm_position"]
    presets_now = {"sasrec_plus": presets["sasrec_ce"]}  # SASRec's block
    (marked,) = load.set_aside_redefined([older], presets_now)
    assert (
        "norm_position: ran 'pre', preset now 'sasrec'"
        in (marked["_redefined"])
    )
    # A retired preset's runs count as no preset of today's zoo.
    retired = {**as_now, "preset": "cosine_restarts"}
    (marked,) = load.set_aside_redefined([retired], presets)
    assert marked["tag"] == load.EARLIER_DEFINITION
    assert marked["_redefined"][0].startswith("cosine_restarts retired: use")


def test_untagged_run_on_another_budget_counts_only_if_it_replays():
    """A preset's own run made with another epoch cap or patience is cut
    to the preset's budget where its history replays to the same best
    epoch, and set aside where it would have run otherwise."""
    presets = load.load_presets(ROOT / "zoo")
    recipe = presets["sasrec_plus"].training  # 70 epochs, patience 70
    scores = [0.01 * e for e in range(1, 66)] + [0.6] * 10  # best: 65

    def ran(scores, best):
        run = fake_run("sasrec_plus", 0, 0.09, 0.05)
        training = {**recipe.to_dict(), "early_stopping_patience": 10}
        run["training"] = {**training, "epochs": 150}
        run["history"] = [
            {"epoch": e, "train_s": 2.0 * e, "val_ndcg@10": score}
            for e, score in enumerate(scores, start=1)
        ]
        return {**run, "epochs_run": len(scores), "best_epoch": best}

    (cut,) = load.set_aside_redefined([ran(scores, 65)], presets)
    assert cut["tag"] == "" and "_redefined" not in cut
    assert (cut["epochs_run"], cut["train_seconds"]) == (70, 140.0)
    assert cut["training"]["early_stopping_patience"] == 70
    assert "1 of 1 ran with epochs 150, patience 10" in tables.run_notes([cut])
    # Stopped at epoch 40 by patience 10: the preset's run goes on.
    (moved,) = load.set_aside_redefined([ran(scores[:40], 30)], presets)
    assert moved["tag"] == load.EARLIER_DEFINITION
    assert moved["_redefined"][0].startswith("epochs and patience: ran 150")
    # A schedule sized to the run (warm-up + cosine) retraces nothing.
    sized = ran(scores, 65)
    assert redefinition.replay(sized, 70, 70) == 70
    sized["training"]["schedule"] = "warmup_cosine"
    assert redefinition.replay(sized, 70, 70) is None


def test_step_profile_sorts_kernels_into_layers_and_reports_shares():
    """benchmarks/step_profile.py: an XLA op path maps to its layer
    (forward and backward apart, wrappers removed), PyTorch operators to
    their group, and the section shows each category's share."""
    from benchmarks import step_profile
    from benchmarks.report.sections import step_profile as section

    direction, path = step_profile.jax_op_path(
        "jit(train_step)/transpose(jvp(sampled_softmax_loss))/"
        "jit(_take)/scatter-add"
    )
    assert direction == "backward"
    assert path == "sampled_softmax_loss/_take/scatter-add"
    cat = step_profile.category
    assert cat(path) == "loss: gather / scatter-add of item rows"
    assert cat("backbone/block_0/attention/rotary_embedding/add") == "RoPE"
    assert cat("backbone/block_0/attention/query/dot_general") == "attention"
    assert cat("backbone/block_0/ffn/gate/dot_general") == "feed-forward"
    assert cat("adam/add") == "optimizer"
    rules = step_profile.TORCH_RULES
    assert cat("aten::bmm", rules) == "matmuls (all layers)"
    assert cat("aten::embedding_dense_backward", rules).startswith("scatter")
    assert cat("aten::index_select", rules) == "gathers of item rows"
    result = {
        "benchmark": "step_profile",
        "backend": "jax",
        "preset": "rope_swiglu",
        "batch": [128, 50],
        "num_items": 12101,
        "kernel_ms_per_step": 200.0,
        "cpu_per_wall_second": 1.0,
        "categories": [
            {"category": "feed-forward", "ms_per_step": 150.0, "share": 0.75},
            {"category": "RoPE", "ms_per_step": 50.0, "share": 0.25},
        ],
        "top_kernels": [
            {"kernel": "forward ffn/gate", "ms_per_step": 1.0, "share": 0.5}
        ],
        "_file": "benchmarks/results/profile/rope_swiglu__jax.json",
        "date": "2026-11-30",
        "command": "python -m benchmarks.step_profile",
    }
    text = "\n".join(section.step_profile_section([result]))
    assert "| feed-forward | 150.0 | 75.0% |" in text
    assert "| RoPE | 50.0 | 25.0% |" in text
    assert "not run yet" in "\n".join(section.step_profile_section([]))


def test_flagship_rows_judge_the_target_and_the_rest_of_the_zoo():
    """Section 0: the flagship's mean against its target (3 CPU seeds, none
    stopped by a time limit) and against the best other preset's mean,
    which a GPU run does not count for."""
    from benchmarks.report.sections import flagships

    def runs(preset, ndcg, recall=0.1, n=3, **extra):
        return [
            {
                **fake_run(preset, seed, recall, ndcg),
                "_file": f"{preset}{seed}.json",
                **extra,
            }
            for seed in range(n)
        ]

    def flagship_row(index):
        text = "\n".join(flagships.flagship_section(index))
        lines = text.splitlines()
        return text, next(x for x in lines if "`rope_swiglu` | tensorflow" in x)

    gpu = {"machine": {"accelerator": "NVIDIA H100"}}
    index = {
        ("rope_swiglu", BEAUTY, "full-loo", "", "tensorflow"): runs(
            "rope_swiglu", 0.0600
        ),
        ("sasrec_plus", BEAUTY, "full-loo", "", "tensorflow"): runs(
            "sasrec_plus", 0.0604
        ),
        ("sasrec_ce", BEAUTY, "full-loo", "", "jax"): runs(
            "sasrec_ce", 0.0700, **gpu
        ),
    }
    text, row = flagship_row(index)
    # 0.0600 >= 0.0585 and HR 0.1 >= 0.097 on 3 seeds; 0.0600 is within
    # 0.0005 of sasrec_plus's 0.0604; the GPU-only sasrec_ce is not counted.
    assert "HR@10 ≥ 0.097, NDCG@10 ≥ 0.0585 | **yes** |" in row
    assert row.endswith("| `sasrec_plus` (tensorflow) 0.0604 | **yes** |")
    # A preset with fewer than 3 runs that leads leaves the question open.
    index[("sasrec_ss", BEAUTY, "full-loo", "", "tensorflow")] = runs(
        "sasrec_ss", 0.0650, n=1
    )
    text, row = flagship_row(index)
    assert row.endswith(
        "| open: `sasrec_ss` (tensorflow) leads with 0.0650 over 1 run(s) |"
    )
    del index[("sasrec_ss", BEAUTY, "full-loo", "", "tensorflow")]
    index[("sasrec_plus", BEAUTY, "full-loo", "", "tensorflow")] = runs(
        "sasrec_plus", 0.0610
    )
    index[("rope_swiglu", BEAUTY, "full-loo", "", "tensorflow")][0][
        "stopped_by_time_limit"
    ] = True
    text, row = flagship_row(index)
    assert "| no (1 stopped by a time limit) |" in row
    assert row.endswith("| `sasrec_plus` (tensorflow) 0.0610 | no |")
    # Games and ML-100k have no flagship runs here.
    assert text.count("not run yet") == 2


def test_run_notes_flag_runs_from_different_hosts():
    """The hosts change between sessions and with them every training
    time: a row whose runs come from two hosts says so."""
    a = fake_run("rope", 0, 0.1, 0.05)
    b = fake_run("rope", 1, 0.1, 0.05)
    a["machine"] = {"platform": "Linux-fc-v669", "matmul_probe_gflops": 98.0}
    b["machine"] = {"platform": "Linux-fc-v782"}
    assert "trained on 2 hosts (Linux-fc-v669, Linux-fc-v782)" in (
        tables.run_notes([a, b])
    )
    assert "hosts" not in tables.run_notes([a, a])
    # A resumable run may have trained on several hosts, one per process.
    a["resumable"] = True
    a["segments"] = [{"machine": {"platform": "Linux-fc-v595"}}, {}]
    notes = tables.run_notes([a, a])
    assert "trained on 2 hosts (Linux-fc-v595, Linux-fc-v669)" in notes
    assert "2 of 2 resumable" in notes and "2 of them trained over" in notes
    assert "matmul probe 98.0 GFLOP/s" in tables.machine_text(a["machine"])
    # The CPU model and vector ISA, recorded since 2026-12-01.
    b["machine"].update(cpu_model="AMD EPYC", cpu_vector_isa="avx2")
    assert "AMD EPYC (avx2)" in tables.machine_text(b["machine"])
    cpu = provenance.cpu_model()
    assert set(cpu) <= {"cpu_model", "cpu_vector_isa"}
    assert cpu.get("cpu_vector_isa", "avx") in (
        "avx512f",
        "avx2",
        "avx",
        "sse4_2",
    )


def test_speed_rounds_compare_backends_within_each_round():
    """benchmarks/speed_rounds.py's section: each ratio is to TensorFlow
    of the same round (not to another round's), the verdict is on the
    median ratio, and only the default compile mode counts."""
    from benchmarks.report.sections import speed_rounds

    def result(round_index, backend, full, beauty):
        rows = [
            {
                "preset": "p",
                "lengths": "full",
                "jit_compile": True,
                "real_tokens_per_s": full,
            },
            {
                "preset": "p",
                "lengths": "beauty",
                "jit_compile": True,
                "real_tokens_per_s": beauty,
            },
            # Another compile mode: must not be read.
            {
                "preset": "p",
                "lengths": "full",
                "jit_compile": False,
                "real_tokens_per_s": 1.0,
            },
        ]
        return {
            "round": round_index,
            "backend": backend,
            "settings": {"jit_compile_resolved": True},
            "training": rows,
            "peak_gflops": 70.0,
            "date": f"2026-11-30T0{round_index}",
            "command": f"KERAS_BACKEND={backend} python -m benchmarks.speed",
            "rounds_command": "python -m benchmarks.speed_rounds",
            "machine": {"platform": "x", "cpus_available": 1},
            "load_average_start": [0.5, 0.5, 0.5],
        }

    results = [
        result(1, "tensorflow", 1000.0, 100.0),
        result(1, "jax", 900.0, 150.0),
        result(1, "torch", 700.0, 100.0),
        # Round 2's machine runs twice as fast: each backend is compared
        # with round 2's TensorFlow, not round 1's.
        result(2, "tensorflow", 2000.0, 200.0),
        result(2, "jax", 1400.0, 300.0),
        result(2, "torch", 1400.0, 200.0),
    ]
    text = "\n".join(speed_rounds.speed_rounds_section(results))
    assert "| `p` | 2 | jax | 1,400 | 0.70 | 300 | 1.50 | 70.0 |" in text
    # JAX: ratios 0.9 and 0.7, median 0.80; torch 0.7 twice: not within.
    assert (
        "| `p` | jax | full-length batches | 2 | 0.80 | 0.70 - 0.90 |" in text
    )
    assert (
        "| `p` | torch | full-length batches | 2 | 0.70 | 0.70 - 0.70 | no |"
        in text
    )
    assert (
        "| `p` | torch | Beauty-like batches | 2 | 1.00 | 1.00 - 1.00 | "
        "**yes** |" in text
    )
    # torch.compile (off by Keras' default on torch) gets its own line.
    eager = result(3, "torch", 700.0, 100.0)
    eager["settings"]["jit_compile_resolved"] = False
    for row, compiled in zip(eager["training"], (2100.0, 200.0)):
        row["jit_compile"], row["real_tokens_per_s"] = True, compiled
    eager["training"][2]["real_tokens_per_s"] = 500.0
    results += [result(3, "tensorflow", 1000.0, 100.0), eager]
    text = "\n".join(speed_rounds.speed_rounds_section(results))
    assert "| `p` | 3 | torch | 500 | 0.50 | — | — | 70.0 |" in text
    assert (
        "| `p` | 3 | torch, torch.compile | 2,100 | 2.10 | 200 | 2.00 | 70.0 |"
        in text
    )
    empty = "\n".join(speed_rounds.speed_rounds_section([]))
    assert "not run yet" in empty
    # Another kind of CPU: its own section, verdict and source folder.
    other = "\n".join(speed_rounds.speed_rounds_section(results, host="cpu_b"))
    assert "### The backends side by side on another CPU (`cpu_b`)" in other
    assert "files under `benchmarks/results/speed_rounds/cpu_b/`" in other
    assert "| `p` | jax | full-length batches | 2 | 0.80 |" in other
    assert speed_rounds.speed_rounds_section([], host="cpu_b") == []
