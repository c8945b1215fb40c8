"""Child process of tests/test_resume.py: one tiny `experiment.run` with a
checkpoint folder; with `--kill_at=N` it SIGKILLs itself once epoch N's
state is saved (as a crash or `kill -9` would). With a fourth argument
`runner`, the same run goes through `benchmarks.runner.run_one` (a
resumable benchmark run) and its result file is copied to `out`."""

import json
import os
import pathlib
import shutil
import signal
import sys

from benchmarks import runner
from keras_rec_tx import datasets, experiment

checkpoint_dir, out, kill_at = sys.argv[1], sys.argv[2], int(sys.argv[3])
through_runner = sys.argv[4:] == ["runner"]
if kill_at:
    saved = experiment.RunState.on_epoch_end

    def on_epoch_end(self, epoch, logs=None):
        saved(self, epoch, logs)
        if epoch + 1 == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    experiment.RunState.on_epoch_end = on_epoch_end

begin = experiment.RunState.on_train_begin


def on_train_begin(self, logs=None):
    # The epoch Keras' BackupAndRestore resumes at, for the test to check.
    print(f"initial_epoch={getattr(self.model, '_initial_epoch', 0) or 0}")
    begin(self, logs)


experiment.RunState.on_train_begin = on_train_begin

data = datasets.synthetic(num_users=60, num_items=25, seed=0)
settings = dict(
    seed=1,
    epochs=6,
    patience=2,
    overrides={"d_model": 8, "d_ff": 16, "max_len": 10, "dropout": 0.3},
    training_overrides={"ema_momentum": 0.5, "batch_size": 16},
)
if through_runner:
    path = runner.run_one(
        "sasrec_plus",
        data,
        dataset="synthetic",
        results_dir=pathlib.Path(out).with_suffix(".runs"),
        checkpoint_dir=checkpoint_dir,
        **settings,
    )
    shutil.copy(path, out)
else:
    result, _ = experiment.run(
        "sasrec_plus", data, checkpoint_dir=checkpoint_dir, **settings
    )
    with open(out, "w", encoding="utf-8") as f:
        json.dump(result, f)
