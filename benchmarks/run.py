"""Runs benchmark suites; one JSON result per finished run (resumable).

    KERAS_BACKEND=jax python -m benchmarks.run --suite=reproduce \
        --data_dir=../shared/data
    KERAS_BACKEND=jax python -m benchmarks.run --suite=study --only=rope
    python -m benchmarks.run --list
    # Two runs at a time, each pinned to its own core, one thread each:
    KERAS_BACKEND=jax python -m benchmarks.run --suite=study --jobs=2
    # A run longer than a session: killed, the same command resumes it.
    python -m benchmarks.run --suite=beat --only=rope_swiglu_games \
        --checkpoint_dir=benchmarks/scratch/checkpoints

Suites are defined in benchmarks/suites/. Runs whose result file exists
are skipped; results go to benchmarks/results/runs/. With --jobs=N > 1 every
pending (run, seed) is its own subprocess (this script with --only and
--seeds), at most N at once, each pinned to an equal share of the CPUs with
its math libraries limited to that many threads; logs go to --jobs_log_dir.
On a small CPU, one thread per run and one run per core trains more runs
per hour than one run using every core (small models do not scale across
cores).
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import time

from absl import app, flags

from benchmarks import runner, suites, threads
from keras_rec_tx import datasets, experiment

FLAGS = flags.FLAGS
flags.DEFINE_string("suite", None, "Suite name (see --list).")
flags.DEFINE_list("only", [], "Run only these run names of the suite.")
flags.DEFINE_list("seeds", None, "Override the suite's seeds.")
flags.DEFINE_string(
    "data_dir",
    str(pathlib.Path(__file__).resolve().parents[2] / "shared" / "data"),
    "Folder with the benchmark datasets.",
)
flags.DEFINE_string(
    "results_dir",
    str(pathlib.Path(__file__).resolve().parent / "results" / "runs"),
    "Where result files are written.",
)
flags.DEFINE_bool("list", False, "List suites and runs, then exit.")
flags.DEFINE_bool(
    "dry_run",
    False,
    "Print the runs still to run (no result file yet), then those whose "
    "result file is stale (made with another configuration).",
)
flags.DEFINE_integer("verbose", 2, "Keras fit verbosity.")
flags.DEFINE_float(
    "time_limit_s",
    None,
    "Stop each run's training after this many wall seconds (best weights "
    "kept; the result file says so). For lent machines with a budget.",
)
flags.DEFINE_string(
    "checkpoint_dir",
    None,
    "Make each run resumable: its training state is backed up after every "
    "epoch in a folder of this one, and the same command after the process "
    "was killed (a session's end, a crash) goes on from the last finished "
    "epoch (see benchmarks.runner.run_one). For runs longer than a session.",
)
flags.DEFINE_integer(
    "jobs", 1, "Runs at once, each in its own pinned subprocess.", lower_bound=1
)
flags.DEFINE_bool(
    "supersede_unweighted",
    False,
    "Rerun runs whose result file trained on bucketed batches without "
    "token weighting; the old file moves to --superseded_dir.",
)
flags.DEFINE_bool(
    "supersede",
    False,
    "Rerun the selected runs and seeds (--only, --seeds) even if finished, "
    "e.g. when their timings were taken on a shared CPU; the old files move "
    "to --superseded_dir.",
)
flags.DEFINE_string(
    "superseded_dir",
    str(pathlib.Path(__file__).resolve().parent / "results" / "superseded"),
    "Where --supersede and --supersede_unweighted move the files they replace.",
)
flags.DEFINE_string(
    "jobs_log_dir",
    str(pathlib.Path(__file__).resolve().parent / "scratch" / "logs"),
    "Where the subprocess logs of --jobs > 1 go.",
)


def result_paths(
    runs: list, seeds: list[int] | None, results_dir: str
) -> list[tuple]:
    """(run, seed, result file path) for each run and seed (`seeds`
    overrides the runs' own)."""
    return [
        (
            run,
            seed,
            runner.result_path(
                results_dir,
                run.preset,
                run.dataset,
                run.protocol,
                seed,
                run.tag,
            ),
        )
        for run in runs
        for seed in (seeds if seeds is not None else run.seeds)
    ]


def pending_runs(
    runs: list,
    seeds: list[int] | None,
    results_dir: str,
    time_limit_s: float | None = None,
    stale: list | None = None,
) -> list[tuple]:
    """(run, seed) pairs whose result file does not exist yet. An existing
    file made with another configuration (overrides, epochs, patience,
    time limit) raises a ValueError naming the differences, rather than
    passing for this run's result; given a `stale` list, (run, seed,
    error message) is appended to it instead."""
    todo = []
    for run, seed, path in result_paths(runs, seeds, results_dir):
        if not path.exists():
            todo.append((run, seed))
            continue
        try:
            runner.check_existing(
                path,
                runner.run_config(
                    run.preset,
                    overrides=run.overrides,
                    training_overrides=run.training_overrides,
                    epochs=run.epochs,
                    patience=run.patience,
                    time_limit_s=time_limit_s,
                ),
            )
        except ValueError as error:
            if stale is None:
                raise
            stale.append((run, seed, str(error)))
    return todo


def supersede(
    runs: list,
    seeds: list[int] | None,
    results_dir: str,
    superseded_dir: str,
    replace=lambda result: True,
) -> list[pathlib.Path]:
    """Moves the result files of `runs` for which `replace(result)` holds
    to `superseded_dir`, so that they are run again; returns the new paths.
    A file already in `superseded_dir` is never overwritten: a run
    superseded again (a preset redefined twice) keeps each earlier file,
    numbered (`<name>.2.json`, `<name>.3.json`, ...)."""
    moved = []
    for _, _, path in result_paths(runs, seeds, results_dir):
        if path.exists() and replace(json.loads(path.read_text())):
            target = pathlib.Path(superseded_dir) / path.name
            number = 1
            while target.exists():
                number += 1
                target = target.with_name(f"{path.stem}.{number}.json")
            target.parent.mkdir(parents=True, exist_ok=True)
            path.rename(target)
            moved.append(target)
            print(f"superseded: {path} -> {target}", flush=True)
    return moved


def cpu_slices(jobs: int) -> list[list[int]]:
    """Splits this process's CPUs into `jobs` equal, disjoint slices."""
    if hasattr(os, "sched_getaffinity"):
        cpus = sorted(os.sched_getaffinity(0))
    else:  # macOS, Windows: no pinning, slices only size the thread pools
        cpus = list(range(os.cpu_count() or 1))
    if jobs > len(cpus):
        raise app.UsageError(
            f"--jobs={jobs} is more than the {len(cpus)} CPUs available."
        )
    # The first len(cpus) % jobs slices get one CPU more.
    size, extra = divmod(len(cpus), jobs)
    bounds = [i * size + min(i, extra) for i in range(jobs + 1)]
    return [cpus[bounds[i] : bounds[i + 1]] for i in range(jobs)]


def run_parallel(todo: list[tuple]) -> None:
    """Runs each (run, seed) as a pinned subprocess, FLAGS.jobs at a time."""
    slices = cpu_slices(FLAGS.jobs)
    log_dir = pathlib.Path(FLAGS.jobs_log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    free = list(range(FLAGS.jobs))
    running = {}
    failed = []
    while todo or running:
        while todo and free:
            run, seed = todo.pop(0)
            slot = free.pop(0)
            cpus = slices[slot]
            command = [
                sys.executable,
                "-m",
                "benchmarks.run",
                f"--suite={FLAGS.suite}",
                f"--only={run.name}",
                f"--seeds={seed}",
                f"--data_dir={FLAGS.data_dir}",
                f"--results_dir={FLAGS.results_dir}",
                f"--verbose={FLAGS.verbose}",
            ]
            if FLAGS.time_limit_s:
                command.append(f"--time_limit_s={FLAGS.time_limit_s}")
            if FLAGS.checkpoint_dir:
                command.append(f"--checkpoint_dir={FLAGS.checkpoint_dir}")
            log = log_dir / f"{FLAGS.suite}__{run.name}__seed{seed}.log"
            log_file = log.open("w")
            proc = subprocess.Popen(
                command,
                env=threads.thread_env(len(cpus)),
                stdout=log_file,
                stderr=subprocess.STDOUT,
                preexec_fn=(
                    (lambda cpus=cpus: os.sched_setaffinity(0, cpus))
                    if hasattr(os, "sched_setaffinity")
                    else None
                ),
            )
            running[proc] = (slot, run.name, seed, log, log_file)
            print(f"started: {run.name} seed {seed} on CPUs {cpus}: {log}")
        time.sleep(5)
        for proc in [p for p in running if p.poll() is not None]:
            slot, name, seed, log, log_file = running.pop(proc)
            log_file.close()
            free.append(slot)
            status = "done" if proc.returncode == 0 else "FAILED"
            if proc.returncode:
                failed.append(f"{name} seed {seed} ({log})")
            print(f"{status}: {name} seed {seed}", flush=True)
    if failed:
        raise SystemExit("Failed runs: " + "; ".join(failed))


def main(argv: list[str]) -> None:
    del argv
    if FLAGS.list:
        for name, runs in suites.SUITES.items():
            print(f"{name}:")
            for run in runs:
                print(f"  {run.name}: {run.describe()}")
        return
    if FLAGS.suite not in suites.SUITES:
        raise app.UsageError(
            f"--suite must be one of {sorted(suites.SUITES)}. "
            f"Received: {FLAGS.suite!r}"
        )
    runs = [
        r
        for r in suites.SUITES[FLAGS.suite]
        if not FLAGS.only or r.name in FLAGS.only
    ]
    seed_list = [int(s) for s in FLAGS.seeds] if FLAGS.seeds else None
    if FLAGS.supersede and not FLAGS.dry_run:
        supersede(runs, seed_list, FLAGS.results_dir, FLAGS.superseded_dir)
    elif FLAGS.supersede_unweighted and not FLAGS.dry_run:
        supersede(
            runs,
            seed_list,
            FLAGS.results_dir,
            FLAGS.superseded_dir,
            replace=suites.trained_without_token_weighting,
        )
    try:
        experiment.writable_dir("results_dir", FLAGS.results_dir)
        stale = [] if FLAGS.dry_run else None
        if FLAGS.supersede and FLAGS.dry_run:  # all would run again
            paths = result_paths(runs, seed_list, FLAGS.results_dir)
            todo = [(run, seed) for run, seed, _ in paths]
        else:
            todo = pending_runs(
                runs, seed_list, FLAGS.results_dir, FLAGS.time_limit_s, stale
            )
    except ValueError as error:  # stale result or unwritable folder
        raise app.UsageError(str(error)) from error
    if FLAGS.dry_run:
        for run, seed in todo:
            ((_, _, path),) = result_paths([run], [seed], FLAGS.results_dir)
            progress = FLAGS.checkpoint_dir and runner.checkpoint_progress(
                FLAGS.checkpoint_dir, path
            )
            print(run.name, seed, run.describe(), *filter(None, [progress]))
        for run, seed, why in stale or []:
            print(run.name, seed, "stale, runs again with --supersede:", why)
        return
    if FLAGS.jobs > 1:
        run_parallel(todo)
        return
    cache = {}
    for run in runs:
        seeds = seed_list if seed_list is not None else run.seeds
        for seed in seeds:
            if run.dataset not in cache:
                cache[run.dataset] = datasets.load_by_name(
                    run.dataset, FLAGS.data_dir
                )
            path = runner.run_one(
                run.preset,
                cache[run.dataset],
                dataset=run.dataset,
                seed=seed,
                protocol=run.protocol,
                tag=run.tag,
                overrides=run.overrides,
                training_overrides=run.training_overrides,
                epochs=run.epochs,
                patience=run.patience,
                time_limit_s=FLAGS.time_limit_s,
                checkpoint_dir=FLAGS.checkpoint_dir,
                results_dir=FLAGS.results_dir,
                verbose=FLAGS.verbose,
            )
            print(f"done: {path}", flush=True)


if __name__ == "__main__":
    app.run(main)
