"""Trains `rope_swiglu` on the built-in synthetic data and saves it with a
model card into saved_models/ (no licensed data involved).

    KERAS_BACKEND=jax python examples/save_synthetic_model.py

The card's numbers are written by this script from the run itself.
"""

import datetime
import json
import pathlib
import shlex
import sys

import keras

import keras_rec_tx as krt

OUT = pathlib.Path(__file__).resolve().parent.parent / "saved_models"
SEED = 0

keras.utils.set_random_seed(SEED)
data = krt.datasets.synthetic(num_users=2000, num_items=500, seed=SEED)
result, model = krt.experiment.run(
    "rope_swiglu", data, seed=SEED, epochs=30, patience=5
)
OUT.mkdir(exist_ok=True)
path = OUT / "rope_swiglu_synthetic.keras"
model.save(path)
test = result["test"]
card = f"""# rope_swiglu trained on synthetic data

- File: `{path.name}` (Keras 3 `.keras`; loads on tensorflow, jax or torch
  with `keras.saving.load_model` after `import keras_rec_tx`).
- Preset: `rope_swiglu` (see `zoo/rope_swiglu.json`), num_items 500.
- Data: `keras_rec_tx.datasets.synthetic(num_users=2000, num_items=500,
  seed={SEED})`, leave-one-out, full-catalogue protocol.
- Training: {result["epochs_run"]} epochs (best {result["best_epoch"]}),
  {result["train_seconds"]:.0f} s on {result["backend"]},
  {result["machine"]["cpu_count"]} CPU cores, {result["machine"]["platform"]}.
- Test: recall@10 {test["recall@10"]:.4f}, ndcg@10 {test["ndcg@10"]:.4f},
  recall@50 {test["recall@50"]:.4f}, mrr {test["mrr"]:.4f}.
- Written by `{" ".join(shlex.quote(a) for a in sys.argv)}` on
  {datetime.date.today().isoformat()}.
- Use: a demo model for `recommend` and for checking installs; it knows
  nothing about real items.
"""
(OUT / "rope_swiglu_synthetic.md").write_text(card, encoding="utf-8")
(OUT / "rope_swiglu_synthetic.json").write_text(
    json.dumps(result, indent=1, default=str) + "\n", encoding="utf-8"
)
print(card)
