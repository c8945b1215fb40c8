"""Generates BENCHMARKS.md, its plots and the results of the preset files.

    python -m benchmarks.report

Reads every result file under benchmarks/results/runs/ (one JSON per run,
written by `benchmarks.runner.run_one`), benchmarks/results/speed/
(`benchmarks/speed.py`, one file per backend) and benchmarks/results/gpu/
(`benchmarks/gpu_throughput.py`), and writes

- BENCHMARKS.md at the repository root (never edit it by hand),
- PNG plots into benchmarks/results/plots/,
- zoo/results/<preset>.json, the generated results of each preset that
  has runs with an empty tag on its benchmark dataset and protocol (the
  hand-written preset files are only read, through
  `keras_rec_tx.preset_schema`).

Every number comes from a result file; rows without results say
"not run yet". Needs numpy and matplotlib; Keras only through the
preset reader.

The parts, in the order a reader meets them:

- `load`: result files and the run index; `stats`: mean ± sd, the noise
  rule, `real?`; `tables`: formatting, cells and notes shared by sections;
- `targets`: the acceptance targets; `baseline_rows`: the baselines'
  rows under every table;
- `sections/`: one module per section, their fixed prose in `text/*.md`
  (read by `text.prose`);
- `plots`, `zoo_results` (zoo/results/*.json), `build` (BENCHMARKS.md)
  and `__main__` (the command line).
"""

from benchmarks.report.build import build_report
from benchmarks.report.zoo_results import update_zoo

__all__ = ["build_report", "update_zoo"]
