"""Writers of the serving artifacts (private to `keras_rec_tx.serving`).

Each writer runs under one backend: the SavedModel under TensorFlow, the
ONNX file under torch. `keras_rec_tx.serving.export` calls them directly
when the current backend is that one, and otherwise runs this module in a
subprocess on a `.keras` copy of the model:

    KERAS_BACKEND=tensorflow python -m keras_rec_tx.serving._artifacts \
        tf_saved_model model.keras out_dir k

Backend libraries are imported inside the functions only.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from typing import Any

from keras import ops

from keras_rec_tx.models.chunked_top_k import chunked_top_k
from keras_rec_tx.utils.requests import TIME_ORIGIN

ONNX_OPSET = 18
ONNX_FILE = "model.onnx"
VOCABULARY_FILE = "vocabulary.json"
SIGNATURE_FILE = "serving.json"


def serve_indices(
    model: Any,
    k: int,
    item_ids: Any,
    timestamps: Any = None,
    query_timestamps: Any = None,
) -> tuple[Any, Any]:
    """The served computation on item indices, in `keras.ops` only.

    Mirrors `SequentialRecommender.recommend`: ids outside `1..num_items`
    become padding, the model reads the newest `max_len` columns, times
    are shifted to `TIME_ORIGIN` in int64 before the int32 cast, and every
    item of the whole history is excluded. Returns int32 indices and
    float32 scores `(batch, k)`; slots past the unseen items are index 0
    with score `-inf`.
    """
    ids = ops.cast(item_ids, "int32")
    known = ops.logical_and(ids >= 1, ids <= model.num_items)
    ids = ops.where(known, ids, ops.zeros_like(ids))
    window = ids[:, -model.max_len :]
    inputs = {"item_ids": window}
    if model.time_encoder is not None:
        mask = window > 0
        times = ops.cast(timestamps, "int64")[:, -model.max_len :]
        offsets = ops.cast(times - TIME_ORIGIN, "int32")
        offsets = ops.where(mask, offsets, ops.zeros_like(offsets))
        query = ops.cast(query_timestamps, "int64")
        query = ops.where(
            query > 0, ops.cast(query - TIME_ORIGIN, "int32"), offsets[:, -1]
        )
        following = ops.concatenate([offsets[:, 1:], query[:, None]], axis=1)
        inputs["timestamps"] = offsets
        inputs["query_timestamps"] = ops.where(
            mask, following, ops.zeros_like(following)
        )
    hidden = model(inputs, training=False)[:, -1, :]
    # The whole request is excluded; the catalogue is scored in chunks.
    top_ids, top_scores = chunked_top_k(
        hidden, model.backbone.embeddings, k, ids, model.score_chunk_size
    )
    unseen = top_scores > float("-inf")
    return ops.where(unseen, top_ids, ops.zeros_like(top_ids)), top_scores


def padding_id(vocabulary: list | None) -> Any:
    """The raw id that stands for "no item": `""` for string vocabularies,
    `-1` for int ones (or one below the smallest id, if `-1` is an item),
    `0` without a vocabulary."""
    if vocabulary is None:
        return 0
    if isinstance(vocabulary[0], str):
        return ""
    return -1 if -1 not in set(vocabulary) else min(vocabulary) - 1


def plain_vocabulary(model: Any) -> list | None:
    """The model's vocabulary as JSON-ready Python ints or strings."""
    vocabulary = model.item_vocabulary
    if vocabulary is None:
        return None
    if isinstance(vocabulary[0], str):
        return [str(v) for v in vocabulary]
    return [int(v) for v in vocabulary]


def signature(model: Any, k: int, fmt: str) -> dict:
    """What `serving.json` records about the artifact's inputs/outputs."""
    vocabulary = plain_vocabulary(model)
    timed = model.time_encoder is not None
    if fmt == "onnx":
        id_dtype = "int32"
        pad = 0
    else:
        id_dtype = "int64"
        if vocabulary is not None and isinstance(vocabulary[0], str):
            id_dtype = "string"
        pad = padding_id(vocabulary)
    inputs = {"item_ids": [id_dtype, ["batch", "length"]]}
    if timed:
        inputs["timestamps"] = ["int64", ["batch", "length"]]
        inputs["query_timestamps"] = ["int64", ["batch"]]
    return {
        "format": fmt,
        "k": k,
        "num_items": model.num_items,
        "max_len": model.max_len,
        "time_aware": timed,
        "inputs": inputs,
        "outputs": {
            "top_ids": [id_dtype, ["batch", k]],
            "top_scores": ["float32", ["batch", k]],
        },
        "padding_id": pad,
        "raw_ids": fmt == "tf_saved_model" and vocabulary is not None,
        "vocabulary": (
            VOCABULARY_FILE
            if fmt == "onnx" and vocabulary is not None
            else None
        ),
        "time_origin": TIME_ORIGIN,
    }


def _write_json(path: str, value: Any) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=1)


def write_saved_model(model: Any, directory: str, k: int) -> None:
    """Writes the TF SavedModel (KERAS_BACKEND=tensorflow only)."""
    import keras
    import tensorflow as tf

    vocabulary = plain_vocabulary(model)
    spec = signature(model, k, "tf_saved_model")
    archive = keras.export.ExportArchive()
    archive.track(model)
    if vocabulary is None:
        key_dtype = tf.int64
        table = decode = None
    else:
        key_dtype = (
            tf.string if spec["inputs"]["item_ids"][0] == "string" else tf.int64
        )
        table = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(
                tf.constant(vocabulary, key_dtype),
                tf.range(1, len(vocabulary) + 1, dtype=tf.int64),
            ),
            default_value=0,
        )
        archive.track(table)
        decode = tf.constant([spec["padding_id"], *vocabulary], key_dtype)

    def run(item_ids, timestamps=None, query_timestamps=None):
        indices = item_ids if table is None else table.lookup(item_ids)
        top_ids, top_scores = serve_indices(
            model, k, indices, timestamps, query_timestamps
        )
        if decode is None:
            out = tf.cast(top_ids, tf.int64)
        else:
            out = tf.gather(decode, top_ids)
        return {"top_ids": out, "top_scores": top_scores}

    ids_spec = tf.TensorSpec((None, None), key_dtype, name="item_ids")
    if model.time_encoder is None:
        fn = tf.function(run, input_signature=[ids_spec])
    else:
        fn = tf.function(
            run,
            input_signature=[
                ids_spec,
                tf.TensorSpec((None, None), tf.int64, name="timestamps"),
                tf.TensorSpec((None,), tf.int64, name="query_timestamps"),
            ],
        )
    archive.add_endpoint("serve", fn)
    archive.write_out(directory, verbose=False)
    _write_json(os.path.join(directory, SIGNATURE_FILE), spec)


def write_onnx(model: Any, directory: str, k: int) -> None:
    """Writes `model.onnx` (+ `vocabulary.json`) (KERAS_BACKEND=torch only).

    Uses torch's TorchScript ONNX exporter, which keeps the batch and
    history length dynamic (the dynamo exporter cannot trace Keras layers
    with symbolic sizes).
    """
    import torch

    timed = model.time_encoder is not None
    names = ["item_ids"] + (["timestamps", "query_timestamps"] if timed else [])

    class Serving(torch.nn.Module):
        def __init__(self, recommender):
            super().__init__()
            self.recommender = recommender

        def forward(self, item_ids, timestamps=None, query_timestamps=None):
            return serve_indices(
                self.recommender, k, item_ids, timestamps, query_timestamps
            )

    # A sample request of two histories of max_len items (tracing only),
    # on the device the model's weights live on.
    length = model.max_len
    args = [ops.ones((2, length), dtype="int32")]
    dynamic = {"item_ids": {0: "batch", 1: "length"}}
    if timed:
        args.append(ops.full((2, length), TIME_ORIGIN + 1, dtype="int64"))
        args.append(ops.full((2,), TIME_ORIGIN + 2, dtype="int64"))
        dynamic["timestamps"] = {0: "batch", 1: "length"}
        dynamic["query_timestamps"] = {0: "batch"}
    args = tuple(args)
    module = Serving(model).eval()
    path = os.path.join(directory, ONNX_FILE)
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            args,
            path,
            input_names=names,
            output_names=["top_ids", "top_scores"],
            dynamic_axes=dynamic,
            opset_version=ONNX_OPSET,
            dynamo=False,
        )
    vocabulary = plain_vocabulary(model)
    if vocabulary is not None:
        _write_json(os.path.join(directory, VOCABULARY_FILE), vocabulary)
    _write_json(
        os.path.join(directory, SIGNATURE_FILE), signature(model, k, "onnx")
    )


WRITERS = {"tf_saved_model": write_saved_model, "onnx": write_onnx}


def main(argv: list[str]) -> None:
    """`FORMAT MODEL.keras OUT_DIR K`: loads the model, writes the artifact."""
    import keras

    import keras_rec_tx  # noqa: F401 - registers the model's classes

    fmt, model_path, directory, k = argv
    model = keras.saving.load_model(model_path, compile=False)
    WRITERS[fmt](model, directory, int(k))


if __name__ == "__main__":
    main(sys.argv[1:])
