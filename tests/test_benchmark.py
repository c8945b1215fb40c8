"""keras_rec_tx.benchmark: result files are strict JSON, written
atomically, and never reused for another configuration."""

import json

import pytest

from keras_rec_tx import benchmark, datasets

TINY = {"d_model": 8, "d_ff": 16, "max_len": 10}


@pytest.fixture(scope="module")
def data():
    return datasets.synthetic(num_users=60, num_items=20, seed=0)


def test_existing_result_is_reused_only_for_the_same_config(data, tmp_path):
    kwargs = dict(dataset="syn", seed=0, results_dir=tmp_path, overrides=TINY)
    path = benchmark.run_one("sasrec_plus", data, epochs=1, **kwargs)
    stored = json.loads(path.read_text())
    assert stored["data_fingerprint"] == benchmark.data_fingerprint(data)
    assert not list(tmp_path.glob(".tmp-*"))  # atomic write left nothing
    mtime = path.stat().st_mtime_ns
    assert benchmark.run_one("sasrec_plus", data, epochs=1, **kwargs) == path
    assert path.stat().st_mtime_ns == mtime
    with pytest.raises(ValueError, match=r"another configuration.*epochs"):
        benchmark.run_one("sasrec_plus", data, epochs=2, **kwargs)
    other = datasets.synthetic(num_users=61, num_items=20, seed=0)
    with pytest.raises(ValueError, match="data_fingerprint"):
        benchmark.run_one("sasrec_plus", other, epochs=1, **kwargs)
    with pytest.raises(ValueError, match=r"overrides\['d_model'\]"):
        benchmark.run_one(
            "sasrec_plus",
            data,
            epochs=1,
            **{**kwargs, "overrides": {**TINY, "d_model": 16}},
        )


def test_legacy_file_without_fingerprint_is_compared_on_what_it_stores(
    tmp_path,
):
    path = tmp_path / "old.json"
    path.write_text(
        json.dumps(
            {
                "overrides": {"d_model": 8},
                "training_overrides": {},
                "training": {"epochs": 3, "early_stopping_patience": 5},
            }
        )
    )
    same = benchmark.run_config(overrides={"d_model": 8}, epochs=3)
    benchmark.check_existing(path, same)  # no fingerprint: not compared
    with pytest.raises(ValueError, match="patience: stored 5, now 6"):
        benchmark.check_existing(path, {**same, "patience": 6})


def test_results_dir_is_checked_before_training(data, tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="`results_dir` must be a folder"):
        benchmark.run_one(
            "sasrec_plus",
            data,
            dataset="syn",
            seed=0,
            results_dir=tmp_path / "file",
        )


def test_non_finite_numbers_are_refused(tmp_path):
    with pytest.raises(ValueError, match="not JSON compliant"):
        benchmark.write_result(tmp_path / "r.json", {"ndcg@10": float("nan")})
    assert not list(tmp_path.iterdir())
