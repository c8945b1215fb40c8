"""`keras_rec_tx.serving.export`: the served top-k equals `recommend`.

Each backend pass trains a tiny time-aware model with string ids under
its own backend, exports both formats and serves them in fresh processes
that import only TensorFlow (resp. onnxruntime + numpy), never
keras_rec_tx or Keras. The cheaper variants (index model, int vocabulary,
`model.export` straight after `zoo.get`) run in-process in the pass whose
backend writes that format (tensorflow: SavedModel, torch: ONNX).
"""

import concurrent.futures
import json
import os
import pathlib
import subprocess
import sys

import keras
import numpy as np
import pandas as pd
import pytest

import keras_rec_tx as krt
from keras_rec_tx.utils.requests import TIME_ORIGIN

TINY = {"d_model": 8, "d_ff": 16, "max_len": 6, "dropout": 0.0}
BACKEND = keras.backend.backend()
BASE = 1_700_000_000

# Serves a SavedModel; imports TensorFlow only.
SERVE_TF = """
import json, sys
import tensorflow as tf
request = json.load(open(sys.argv[2]))
served = tf.saved_model.load(sys.argv[1])
out = served.serve(
    tf.constant(request["item_ids"], tf.string),
    tf.constant(request["timestamps"], tf.int64),
    tf.constant(request["query_timestamps"], tf.int64),
)
assert "keras_rec_tx" not in sys.modules
print(json.dumps({
    "ids": [[i.decode() for i in row] for row in out["top_ids"].numpy()],
    "scores": out["top_scores"].numpy().tolist(),
}))
"""

# Serves the ONNX file on indices, mapping raw ids with vocabulary.json.
SERVE_ONNX = """
import json, os, sys
import numpy as np
import onnxruntime
request = json.load(open(sys.argv[2]))
vocabulary = json.load(open(os.path.join(sys.argv[1], "vocabulary.json")))
index = {raw: i + 1 for i, raw in enumerate(vocabulary)}
ids = np.array([[index.get(i, 0) for i in row] for row in request["item_ids"]])
session = onnxruntime.InferenceSession(os.path.join(sys.argv[1], "model.onnx"))
top_ids, top_scores = session.run(None, {
    "item_ids": ids.astype("int32"),
    "timestamps": np.array(request["timestamps"], "int64"),
    "query_timestamps": np.array(request["query_timestamps"], "int64"),
})
assert "keras_rec_tx" not in sys.modules and "keras" not in sys.modules
print(json.dumps({
    "ids": [[vocabulary[i - 1] if i else "" for i in row] for row in top_ids],
    "scores": top_scores.tolist(),
}))
"""


def log_frame(num_users=10, num_items=12, length=6):
    rows = []
    for u in range(num_users):
        start = pd.Timestamp("2024-01-01") + pd.Timedelta(days=u)
        for j in range(length):
            item = f"sku-{(2 * u + j) % num_items}"
            rows.append((f"u{u}", item, start + pd.Timedelta(hours=j)))
    return pd.DataFrame(rows, columns=["customer", "product", "ts"])


def serve(script, artifact, request, tmp_path, name):
    """Starts a fresh process (no keras_rec_tx on its path) serving
    `request` from `artifact`."""
    (tmp_path / f"{name}.py").write_text(script)
    (tmp_path / f"{name}.json").write_text(json.dumps(request))
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "KERAS_BACKEND")
    }
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    return subprocess.Popen(
        [sys.executable, f"{name}.py", str(artifact), f"{name}.json"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def result(proc):
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A tiny rope_swiglu_time with string ids, fit under this backend."""
    data = krt.data.Interactions.from_dataframe(
        log_frame(), user="customer", item="product", time="ts"
    )
    train, _, _ = data.leave_one_out()
    model = krt.zoo.get("rope_swiglu_time", data=data, **TINY)
    model.fit(train.batches(batch_size=8, max_len=6), epochs=1, verbose=0)
    return model


@pytest.mark.skipif(
    BACKEND != "jax",
    reason="once per suite: both exports run in subprocesses off this "
    "backend (the in-process tests below run under tensorflow and torch)",
)
def test_round_trip_both_formats_in_fresh_processes(trained, tmp_path):
    model = trained
    # A history longer than max_len (all of it is excluded) and a short
    # one, left-padded with ""; the second has a request time.
    long = [f"sku-{i}" for i in (0, 1, 2, 3, 4, 5, 6, 7)]
    short = ["sku-9", "sku-3"]
    times_long = [BASE + 3600 * j for j in range(8)]
    times_short = [BASE + 7 * 86400, BASE + 8 * 86400]
    request = {
        "item_ids": [long, [""] * 6 + short],
        "timestamps": [times_long, [0] * 6 + times_short],
        "query_timestamps": [0, BASE + 9 * 86400],
    }
    onnx_dir = tmp_path / "onnx"
    # The two exports run at once (off this backend they are subprocesses).
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        saved = pool.submit(krt.serving.export, model, tmp_path / "saved", 4)
        onnx = pool.submit(model.export, onnx_dir, format="onnx", k=4)
        saved = pathlib.Path(saved.result())
        onnx.result()
    procs = [
        serve(SERVE_TF, saved, request, tmp_path, "serve_tf"),
        serve(SERVE_ONNX, onnx_dir, request, tmp_path, "serve_onnx"),
    ]
    a = model.recommend([long], k=4, timestamps=[times_long])
    b = model.recommend(
        [short],
        k=4,
        timestamps=[times_short],
        query_timestamps=[BASE + 9 * 86400],
    )
    ids = np.concatenate([a[0], b[0]])
    scores = np.concatenate([a[1], b[1]])
    assert not set(ids[0]) & set(long) and not set(ids[1]) & set(short)
    for proc in procs:
        out = result(proc)
        np.testing.assert_array_equal(np.array(out["ids"]), ids)
        np.testing.assert_allclose(out["scores"], scores, atol=1e-5)
    # The request time matters: the default (last item's time) differs.
    c = model.recommend([short], k=4, timestamps=[times_short])
    assert not np.allclose(c[1], b[1])
    spec = json.loads((saved / "serving.json").read_text())
    assert spec["padding_id"] == "" and spec["raw_ids"] is True
    assert spec["time_origin"] == TIME_ORIGIN
    assert json.loads((onnx_dir / "vocabulary.json").read_text()) == (
        model.item_vocabulary
    )


def test_k_format_and_path_are_checked(trained, tmp_path):
    with pytest.raises(ValueError, match="Received: k=0"):
        krt.serving.export(trained, tmp_path / "a", k=0)
    with pytest.raises(ValueError, match="k=13"):
        krt.serving.export(trained, tmp_path / "a", k=trained.num_items + 1)
    with pytest.raises(TypeError, match="k"):
        krt.serving.export(trained, tmp_path / "a", k=2.5)
    with pytest.raises(ValueError, match="format"):
        krt.serving.export(trained, tmp_path / "a", k=2, format="torchscript")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="folder"):
        krt.serving.export(trained, tmp_path / "file", k=2)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        krt.serving.export(trained, tmp_path / "no" / "where", k=2)
    with pytest.raises(TypeError, match="SequentialRecommender"):
        krt.serving.export(keras.Sequential(), tmp_path / "a", k=2)
    assert not (tmp_path / "a").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


@pytest.mark.skipif(BACKEND != "tensorflow", reason="in-process SavedModel")
def test_saved_model_of_index_model_right_after_zoo_get(tmp_path):
    import tensorflow as tf

    model = krt.zoo.get("rope_swiglu", num_items=20, top_k=5, **TINY)
    path = tmp_path / "served"
    model.export(path)  # no fit: the signature comes from the config
    model.export(path)  # replaces the earlier export
    served = tf.saved_model.load(str(path))
    histories = np.array([[0, 0, 0, 3, 7, 9], [1, 2, 3, 4, 5, 6]])
    out = served.serve(tf.constant(histories, tf.int64))
    ids, scores = model.recommend(histories, k=5)
    np.testing.assert_array_equal(out["top_ids"].numpy(), ids)
    np.testing.assert_allclose(out["top_scores"].numpy(), scores, atol=1e-5)
    assert json.loads((path / "serving.json").read_text())["k"] == 5
    assert not [p for p in tmp_path.iterdir() if p.name != "served"]
    # Unseen items run out: the tail is padding (0) scored -inf.
    everything = np.arange(1, 21)[None, 3:]
    full = krt.serving.export(model, tmp_path / "full", k=20)
    loaded = tf.saved_model.load(full)  # keep a reference while calling
    out = loaded.serve(tf.constant(everything, tf.int64))
    np.testing.assert_array_equal(
        np.sort(out["top_ids"].numpy()[0, :3]), [1, 2, 3]
    )
    np.testing.assert_array_equal(out["top_ids"].numpy()[0, 3:], 0)
    assert np.isneginf(out["top_scores"].numpy()[0, 3:]).all()
    # Out-of-catalogue indices are read as padding.
    a = served.serve(tf.constant([[0, 0, 3, 7]], tf.int64))
    b = served.serve(tf.constant([[99, -4, 3, 7]], tf.int64))
    np.testing.assert_array_equal(a["top_ids"], b["top_ids"])


@pytest.mark.skipif(BACKEND != "tensorflow", reason="in-process SavedModel")
def test_saved_model_with_int_vocabulary(tmp_path):
    import tensorflow as tf

    frame = log_frame()
    frame["product"] = frame["product"].str[4:].astype("int64") * 10 + 1000
    data = krt.data.Interactions.from_dataframe(
        frame, user="customer", item="product"
    )
    model = krt.zoo.get("rope_swiglu", data=data, **TINY)
    path = krt.serving.export(model, tmp_path / "served", k=3)
    served = tf.saved_model.load(path)
    out = served.serve(
        tf.constant([[-1, 1010, 1050], [1000, 1020, 1030]], tf.int64)
    )
    ids, scores = model.recommend([[1010, 1050], [1000, 1020, 1030]], k=3)
    np.testing.assert_array_equal(out["top_ids"].numpy(), ids.astype("int64"))
    np.testing.assert_allclose(out["top_scores"].numpy(), scores, atol=1e-5)
    assert (
        json.loads(pathlib.Path(path, "serving.json").read_text())["padding_id"]
        == -1
    )
    # An unknown raw id is ignored like padding.
    unknown = served.serve(tf.constant([[77777, 1010, 1050]], tf.int64))
    np.testing.assert_array_equal(unknown["top_ids"][0], ids[0])


@pytest.mark.skipif(BACKEND != "torch", reason="in-process ONNX export")
def test_onnx_of_index_model_right_after_zoo_get(tmp_path):
    import onnxruntime

    model = krt.zoo.get("rope_swiglu", num_items=20, **TINY)
    path = tmp_path / "onnx"
    model.export(path, format="onnx", k=6)
    assert sorted(p.name for p in path.iterdir()) == [
        "model.onnx",
        "serving.json",
    ]
    session = onnxruntime.InferenceSession(str(path / "model.onnx"))
    for histories in (
        [[0, 0, 3, 7, 9]],
        [[1, 2, 3, 4, 5, 6, 7, 8], [0] * 7 + [4]],
    ):
        histories = np.array(histories, "int32")
        top_ids, top_scores = session.run(None, {"item_ids": histories})
        ids, scores = model.recommend(histories, k=6)
        np.testing.assert_array_equal(top_ids, ids)
        np.testing.assert_allclose(top_scores, scores, atol=1e-5)
        for row, history in zip(top_ids, histories):
            assert not set(row) & set(history)
