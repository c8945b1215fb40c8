"""End to end: a DataFrame of raw ids -> fit -> save -> load ->
recommend_users -> export -> served top-k without this package.

Run with any backend (writes into a temporary folder, or `--output=DIR`):

    KERAS_BACKEND=jax python examples/end_to_end.py

The last step loads the exported SavedModel in a fresh Python process
that imports only TensorFlow (not keras_rec_tx, not Keras) and prints
the top-k raw ids it serves for one history, which equal `recommend`'s.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import keras
import numpy as np
import pandas as pd

import keras_rec_tx as krt

# What a serving process needs: TensorFlow and the exported folder.
SERVE = """
import json, sys
import tensorflow as tf
served = tf.saved_model.load(sys.argv[1])
history = json.loads(sys.argv[2])
out = served.serve(tf.constant([history], tf.string))
assert "keras_rec_tx" not in sys.modules
ids = [i.decode() for i in out["top_ids"].numpy()[0]]
print(json.dumps({"ids": ids, "scores": out["top_scores"].numpy()[0].tolist()}))
"""


def main(output: str) -> None:
    # 1. A log as a user holds it: string ids, datetimes.
    frame = krt.datasets.synthetic(
        num_users=120, num_items=40, mean_length=10, seed=0
    ).to_dataframe()
    frame = pd.DataFrame(
        {
            "customer": "c-" + frame["user_id"].astype(str),
            "product": "sku-" + frame["item_id"].astype(str),
            "ts": pd.to_datetime(frame["timestamp"], unit="s"),
        }
    )
    data = krt.data.Interactions.from_dataframe(
        frame, user="customer", item="product", time="ts"
    )
    train, valid, test = data.leave_one_out()

    # 2. A preset sized from the data (keeps the item vocabulary); fit.
    model = krt.zoo.get(
        "rope_swiglu", data=data, d_model=16, d_ff=32, max_len=12
    )
    model.fit(
        train.batches(batch_size=32, max_len=12),
        validation_data=valid.batches(max_len=12),
        epochs=2,
        verbose=0,
    )
    metrics = model.evaluate(
        test.batches(max_len=12), return_dict=True, verbose=0
    )
    print(f"backend: {keras.backend.backend()}")
    print(f"test recall@10: {metrics['recall@10']:.4f}")

    # 3. Save, load back, recommend for users of the log (raw ids).
    path = os.path.join(output, "model.keras")
    model.save(path)
    model = keras.saving.load_model(path)
    top = model.recommend_users(data, k=3, users=["c-0", "c-1"])
    print(top.to_string(index=False))

    # 4. Export the top-10 endpoint and serve it without keras_rec_tx.
    served = krt.serving.export(model, os.path.join(output, "served"), k=10)
    history = data.to_dataframe().query("user_id == 'c-0'")["item_id"]
    history = history.tolist()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    proc = subprocess.run(
        [sys.executable, "-c", SERVE, served, json.dumps(history)],
        cwd=output,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"served top-10 for c-0: {out['ids']}")
    ids, scores = model.recommend([history], k=10)
    assert out["ids"] == ids[0].tolist(), (out["ids"], ids[0])
    np.testing.assert_allclose(out["scores"], scores[0], atol=1e-5)
    print("served == recommend: ok")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", help="folder to write (default: temp)")
    args = parser.parse_args()
    if args.output:
        os.makedirs(args.output, exist_ok=True)
        main(args.output)
    else:
        with tempfile.TemporaryDirectory() as folder:
            main(folder)
