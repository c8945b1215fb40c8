"""benchmarks.run: resumable runs, and --jobs=2 in pinned subprocesses."""

import json
import os
import pathlib
import subprocess
import sys

import keras
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "torch",
    reason="Spawns training subprocesses: run in one backend pass only.",
)


def run_suite(tmp_path, *flags):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--suite=smoke", "--verbose=0"]
        + [
            f"--results_dir={tmp_path / 'runs'}",
            f"--jobs_log_dir={tmp_path}/logs",
        ]
        + list(flags),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_parallel_jobs_write_one_file_per_seed_and_resume(tmp_path):
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs 2 CPUs")
    done = run_suite(tmp_path, "--jobs=2")
    assert done.returncode == 0, done.stdout + done.stderr
    files = sorted((tmp_path / "runs").glob("*.json"))
    assert [f.name.split("__")[-1] for f in files] == [
        "seed0.json",
        "seed1.json",
    ]
    for seed, path in enumerate(files):
        result = json.loads(path.read_text())
        assert result["seed"] == seed
        assert result["backend"] == "torch"
        assert 0.0 <= result["test"]["ndcg@10"] <= 1.0
        assert f"--seeds={seed}" in result["command"]
    logs = sorted(p.name for p in (tmp_path / "logs").iterdir())
    assert logs == ["smoke__smoke__seed0.log", "smoke__smoke__seed1.log"]
    # Finished runs are skipped: nothing is started again.
    again = run_suite(tmp_path, "--jobs=2")
    assert again.returncode == 0
    assert "started" not in again.stdout
    assert [p.stat().st_mtime for p in files] == [
        p.stat().st_mtime for p in sorted((tmp_path / "runs").glob("*.json"))
    ]


def test_supersede_unweighted_reruns_only_unweighted_files(tmp_path):
    done = run_suite(tmp_path, "--seeds=0,1")
    assert done.returncode == 0, done.stdout + done.stderr
    seed0, seed1 = sorted((tmp_path / "runs").glob("*.json"))
    assert json.loads(seed0.read_text())["training"]["token_weighting"]
    # seed 0 as a file written before token weighting existed.
    old = json.loads(seed0.read_text())
    del old["training"]["token_weighting"]
    old["test"]["ndcg@10"] = -1.0
    seed0.write_text(json.dumps(old))
    mtime1 = seed1.stat().st_mtime
    again = run_suite(
        tmp_path,
        "--seeds=0,1",
        "--supersede_unweighted",
        f"--superseded_dir={tmp_path / 'superseded'}",
    )
    assert again.returncode == 0, again.stdout + again.stderr
    moved = tmp_path / "superseded" / seed0.name
    assert json.loads(moved.read_text())["test"]["ndcg@10"] == -1.0
    rerun = json.loads(seed0.read_text())
    assert rerun["training"]["token_weighting"]
    assert rerun["test"]["ndcg@10"] >= 0.0
    assert seed1.stat().st_mtime == mtime1
    # A second supersede never overwrites the kept file: it numbers its own.
    old["test"]["ndcg@10"] = -2.0
    seed0.write_text(json.dumps(old))
    third = run_suite(
        tmp_path,
        "--seeds=0",
        "--supersede_unweighted",
        f"--superseded_dir={tmp_path / 'superseded'}",
    )
    assert third.returncode == 0, third.stdout + third.stderr
    assert json.loads(moved.read_text())["test"]["ndcg@10"] == -1.0
    second = moved.with_name(f"{seed0.stem}.2.json")
    assert json.loads(second.read_text())["test"]["ndcg@10"] == -2.0


def test_supersede_reruns_a_finished_run(tmp_path):
    done = run_suite(tmp_path, "--seeds=0")
    assert done.returncode == 0, done.stdout + done.stderr
    (seed0,) = (tmp_path / "runs").glob("*.json")
    first = json.loads(seed0.read_text())
    # --dry_run lists only what is still to run, and where a killed
    # resumable run of it stopped.
    killed = tmp_path / "ckpt" / seed0.stem.replace("seed0", "seed1")
    (killed / "backup").mkdir(parents=True)
    (killed / "backup" / "training_metadata.json").write_text('{"epoch": 2}')
    (killed / "segments.json").write_text('{"segments": [{}, {}]}')
    checkpoints = f"--checkpoint_dir={killed.parent}"
    listed = run_suite(tmp_path, "--seeds=0,1", "--dry_run", checkpoints).stdout
    assert listed.startswith("smoke 1 ") and "smoke 0 " not in listed
    assert "resumes after epoch 2 (2 processes so far)" in listed
    # ... and then the stale ones, without stopping at the first.
    stale = dict(first, overrides={**first["overrides"], "dropout": 0.45})
    seed0.write_text(json.dumps(stale))
    listed = run_suite(tmp_path, "--seeds=0,1", "--dry_run")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert "smoke 0 stale, runs again with --supersede:" in listed.stdout
    assert "dropout" in listed.stdout and "smoke 1 " in listed.stdout
    again = run_suite(
        tmp_path,
        "--seeds=0",
        "--supersede",
        f"--superseded_dir={tmp_path / 'superseded'}",
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert "superseded:" in again.stdout
    moved = json.loads((tmp_path / "superseded" / seed0.name).read_text())
    assert moved["date"] == first["date"]
    assert json.loads(seed0.read_text())["date"] != first["date"]


def test_too_many_jobs_is_a_clear_error(tmp_path):
    done = run_suite(tmp_path, "--jobs=4096")
    assert done.returncode != 0
    assert "--jobs=4096 is more than" in done.stderr


def test_cpu_slices_are_disjoint_and_use_every_cpu(monkeypatch):
    from benchmarks import run

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(16)))
    slices = run.cpu_slices(9)
    assert [len(s) for s in slices] == [2] * 7 + [1] * 2
    assert sorted(sum(slices, [])) == list(range(16))
    assert run.cpu_slices(4) == [list(range(i, i + 4)) for i in range(0, 16, 4)]
