"""The command line: `python -m benchmarks.report` (from the repo root).

Writes BENCHMARKS.md and its plots, then the presets' results files.
"""

from __future__ import annotations

from absl import app, flags

from benchmarks.report.build import build_report
from benchmarks.report.load import (
    ROOT,
    index_runs,
    load_json_dir,
    load_presets,
    set_aside_redefined,
)
from benchmarks.report.zoo_results import update_zoo

HERE = ROOT / "benchmarks"
FLAGS = flags.FLAGS


def define_flags() -> None:
    """The command-line flags (defined only when run as a script)."""
    flags.DEFINE_string(
        "runs_dir", str(HERE / "results" / "runs"), "Run files."
    )
    flags.DEFINE_string(
        "speed_dir", str(HERE / "results" / "speed"), "speed.py."
    )
    flags.DEFINE_string(
        "gpu_dir", str(HERE / "results" / "gpu"), "gpu_throughput.py results."
    )
    flags.DEFINE_string("plots_dir", str(HERE / "results" / "plots"), "Plots.")
    flags.DEFINE_string("output", str(ROOT / "BENCHMARKS.md"), "The report.")
    flags.DEFINE_string("zoo_dir", str(ROOT / "zoo"), "Preset files to update.")
    flags.DEFINE_bool("update_zoo", True, "Write the results of preset files.")


def main(argv: list[str]) -> None:
    del argv
    build_report(
        FLAGS.runs_dir,
        FLAGS.speed_dir,
        FLAGS.gpu_dir,
        FLAGS.plots_dir,
        FLAGS.output,
        FLAGS.zoo_dir,
    )
    print(f"wrote {FLAGS.output}")
    if FLAGS.update_zoo:
        runs = [
            r
            for r in load_json_dir(FLAGS.runs_dir)
            if "preset" in r and "test" in r
        ]
        index = index_runs(
            set_aside_redefined(runs, load_presets(FLAGS.zoo_dir))
        )
        changed = update_zoo(FLAGS.zoo_dir, index)
        print(f"updated results of {len(changed)} presets: {changed}")


if __name__ == "__main__":
    define_flags()
    app.run(main)
