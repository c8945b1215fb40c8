"""Child process of tests/test_resume.py: one tiny `experiment.run` with a
checkpoint folder; with `--kill_at=N` it SIGKILLs itself once epoch N's
state is saved (as a crash or `kill -9` would)."""

import json
import os
import signal
import sys

from keras_rec_tx import datasets, experiment

checkpoint_dir, out, kill_at = sys.argv[1], sys.argv[2], int(sys.argv[3])
if kill_at:
    saved = experiment.RunState.on_epoch_end

    def on_epoch_end(self, epoch, logs=None):
        saved(self, epoch, logs)
        if epoch + 1 == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    experiment.RunState.on_epoch_end = on_epoch_end

data = datasets.synthetic(num_users=60, num_items=25, seed=0)
result, _ = experiment.run(
    "sasrec_plus",
    data,
    epochs=6,
    batch_size=16,
    patience=2,
    seed=1,
    overrides={"d_model": 8, "d_ff": 16, "max_len": 10, "dropout": 0.3},
    training_overrides={"ema_momentum": 0.5},
    checkpoint_dir=checkpoint_dir,
)
with open(out, "w", encoding="utf-8") as f:
    json.dump(result, f)
