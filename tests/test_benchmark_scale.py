"""benchmarks/scale.py at tiny sizes, and its report section on FAKE
result files (invented numbers, written only under tmp_path)."""

import json
import pathlib

import pytest

from benchmarks import scale
from benchmarks.report.load import load_json_dir, load_presets
from benchmarks.report.sections.scale import scale_section
from tests.benchmark_modules import ONCE

pytestmark = ONCE


def _run(tmp_path, *argv):
    output = tmp_path / "result.json"
    report = scale.main([*argv, f"--output={output}"])
    assert json.loads(output.read_text()) == report
    assert report["date"] and "benchmarks.scale" in report["command"]
    return report


def test_recommend_part_runs_tiny(tmp_path):
    report = _run(
        tmp_path,
        "--part=recommend",
        "--num_items=60",
        "--d_model=8",
        "--users=3",
        "--history_length=4",
        "--k=7",
        "--batch_size=3",
    )
    assert report["settings"]["num_items"] == 60
    assert report["item_table_gb"] == pytest.approx(61 * 8 * 4 / 1e9, abs=1e-3)
    assert report["targets"]["peak_rss_gb"] == pytest.approx(
        2 * report["item_table_gb"] + 1, abs=1e-3
    )
    assert report["meets_target"] == (
        report["peak_rss_gb"] <= report["targets"]["peak_rss_gb"]
    )
    assert report["check"] == {
        "shape": [3, 7],
        "scores_best_first": True,
        "no_seen_item_returned": True,
    }
    assert report["users_per_s"] > 0 and report["users_per_cpu_s"] > 0
    assert set(report["stages"]["build"]) == {
        "seconds",
        "cpu_seconds",
        "rss_after_gb",
        "peak_rss_gb",
    }
    assert report["peak_rss_gb"] >= report["stages"]["recommend"]["peak_rss_gb"]


def test_long_log_part_runs_tiny(tmp_path):
    report = _run(
        tmp_path,
        "--part=long_log",
        "--log_users=300",
        "--log_items=40",
        "--log_mean_length=6",
        "--max_len=5",
        "--read_batches=2",
    )
    assert report["users"] == 300 and report["items"] <= 40
    assert report["interactions"] >= 3 * 300
    assert set(report["stages"]) == {
        "generate",
        "build",
        "split",
        "batches",
        "read_batches",
    }
    assert report["build_and_split_seconds"] == pytest.approx(
        report["stages"]["build"]["seconds"]
        + report["stages"]["split"]["seconds"],
        abs=0.011,
    )


def test_synthetic_log_times_increase_within_users():
    import numpy as np

    columns = scale.synthetic_log(50, 20, 8.0)
    order = np.lexsort((columns["timestamp"], columns["user_id"]))
    users = columns["user_id"][order]
    assert columns["user_id"].dtype == np.int32
    assert columns["item_id"].dtype == np.int32
    assert np.bincount(users).min() >= 3
    assert 1 <= columns["item_id"].min() and columns["item_id"].max() <= 20
    # Sorting by (user, time) keeps ties? None: times are distinct per user.
    same_user = users[1:] == users[:-1]
    assert (np.diff(columns["timestamp"][order])[same_user] > 0).all()


def _fake(tmp_path):
    """FAKE result files, one per part, with the schema of scale.py."""
    common = {
        "benchmark": "scale",
        "backend": "jax",
        "date": "2000-01-01T00:00:00+00:00",
        "command": "fake fixture",
        "load_average_start": [1.0, 1.0, 1.0],
        "load_average_end": [2.0, 2.0, 2.0],
    }
    files = {
        "recommend__jax": {
            "part": "recommend",
            "settings": {
                "preset": "rope_swiglu",
                "num_items": 10_000_000,
                "d_model": 64,
                "users": 10_000,
                "k": 100,
            },
            "item_table_gb": 2.56,
            "stages": {"build": {"seconds": 100.0}},
            "users_per_s": 12.5,
            "users_per_cpu_s": 50.0,
            "peak_rss_gb": 5.5,
            "targets": {"peak_rss_gb": 6.12},
            "meets_target": True,
        },
        "long_log": {
            "part": "long_log",
            "backend": "numpy",
            "settings": {"input_order": "shuffled"},
            "interactions": 100_000_000,
            "users": 1_000_000,
            "items": 100_000,
            "stages": {
                "build": {"seconds": 30.0},
                "split": {"seconds": 0.01},
                "batches": {"seconds": 2.0},
            },
            "build_and_split_seconds": 30.01,
            "build_and_split_cpu_seconds": 20.0,
            "peak_rss_gb": 9.0,
            "targets": {"build_and_split_seconds": 60, "peak_rss_gb": 8},
            "meets_target": False,
        },
        "training__tensorflow": {
            "part": "training",
            "backend": "tensorflow",
            "settings": {
                "preset": "rope_swiglu",
                "users": 138_493,
                "items": 26_744,
                "interactions": 20_000_000,
                "max_len": 200,
            },
            "training": {"jit_compile": False, "steps": 30},
            "real_tokens_per_s": 50_000.0,
            "real_tokens_per_cpu_s": 60_000.0,
            "epoch_cpu_seconds_estimated": 300.0,
            "epoch_real_tokens": 18_000_000,
            "epoch_batches": 1082,
            "epoch_seconds_estimated": 360.0,
        },
    }
    for name, body in files.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps({**common, **body}))
    return load_json_dir(tmp_path)


def test_section_renders_fake_results(tmp_path):
    text = "\n".join(scale_section(_fake(tmp_path)))
    assert "## 7. Scale" in text
    assert (
        "| jax | `rope_swiglu` | 10,000,000 | 64 | 2.56 | 10,000 | 100 | 100 "
        "| 12.50 | 50.00 | 5.50 | 6.12 | yes |" in text
    )
    assert (
        "| 100,000,000 | 1,000,000 | 100,000 | shuffled | 30.0 | 0.01 | 30.0 "
        "| 20.0 | 2.0 | 9.00 | no |" in text
    )
    assert "within 60 s, peak RSS within 8 GB" in text
    assert (
        "| tensorflow | `rope_swiglu` | 138,493 / 26,744 / 20,000,000 | 200 "
        "| False | 30 | 50,000 | 60,000 | 18,000,000 | 1,082 | 6.0 | 5.0 |"
        in text
    )
    assert "`fake fixture`" in text and "load 1.0 → 2.0" in text


def test_training_row_of_an_unrecorded_definition_is_marked(tmp_path):
    # The fake training row records no architecture, like the files
    # written before speed.time_training did: it may be of an earlier
    # definition of its preset.
    presets = load_presets(pathlib.Path(__file__).parent.parent / "zoo")
    text = "\n".join(scale_section(_fake(tmp_path), presets))
    assert "| tensorflow | `rope_swiglu`† | 138,493 / 26,744" in text
    assert "timed with an earlier definition of the preset" in text
    assert "`rope_swiglu`†" not in "\n".join(scale_section(_fake(tmp_path)))


def test_section_without_results_says_not_run():
    text = "\n".join(scale_section([]))
    assert text.count("not run yet") == 3
