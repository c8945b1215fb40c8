"""Export of a top-k serving endpoint (TF SavedModel or ONNX)."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
from typing import Any

import keras

from keras_rec_tx.serving import _artifacts
from keras_rec_tx.utils import check_bool, check_choice, check_int

FORMATS = ("tf_saved_model", "onnx")
# The backend each artifact is written under.
_WRITER_BACKEND = {"tf_saved_model": "tensorflow", "onnx": "torch"}


def export(
    model: Any,
    filepath: str | os.PathLike,
    k: int | None = None,
    format: str = "tf_saved_model",  # noqa: A002 - keras' own argument name
    verbose: bool = False,
) -> str:
    """Writes a top-`k` recommendation endpoint that runs without
    keras_rec_tx (or Keras): a TF SavedModel or an ONNX file.

    The served function takes a batch of LEFT-padded histories (oldest
    item first, the newest in the last column) and returns the `k` best
    items of each with their scores, best first, every item of the
    history excluded (inside the graph). Histories may be longer than
    `max_len` (the model reads the newest `max_len` items; all are
    excluded) or shorter. Results equal `model.recommend` (same ids,
    scores to float32 rounding). `filepath` becomes a folder:

    - `format="tf_saved_model"`: a SavedModel whose `serve` function (also
      the `serving_default` signature) takes `item_ids` `(batch, length)`:
      raw ids when the model has a vocabulary (`tf.string` for string
      ids, `tf.int64` for int ids; a lookup table inside the graph maps
      them to indices), else int64 indices `1..num_items`. It returns
      `{"item_ids": (batch, k) same dtype, "scores": float32 (batch, k)}`.
    - `format="onnx"`: `model.onnx` on indices: `item_ids` int32
      `(batch, length)` in, `item_ids` int32 and `scores` float32
      `(batch, k)` out; with a vocabulary, `vocabulary.json` beside it
      holds the raw ids of indices `1..num_items` (entry `i - 1` is index
      `i`), to map ids before and after the call.

    Both folders hold `serving.json` (inputs, outputs, `k`, `max_len`,
    `padding_id`, `time_origin`).

    Conventions: padding is `0` for indices, `""` for string vocabularies
    and `-1` for int vocabularies (`serving.json` names it). Any id that
    is not an item (unknown raw ids, indices outside `1..num_items`) is
    read as padding: ignored, where `recommend` would raise. A row whose
    unseen items run out before `k` ends in the padding id scored
    `-inf`. Time-aware models (`model.time_encoder` set) also take
    `timestamps` int64 unix seconds `(batch, length)` (any value at
    padding) and `query_timestamps` int64 `(batch,)`: the request time of
    each row, or `0` for "the time of the newest item" (what `recommend`
    uses without `query_timestamps`). Times are shifted to
    `keras_rec_tx.utils.requests.TIME_ORIGIN` inside the graph, in int64,
    as `recommend` does.

    How it is written: the SavedModel is traced under TensorFlow and the
    ONNX file under torch (its TorchScript exporter keeps batch and length
    dynamic). When the current backend is another one, the model is saved
    to a temporary `.keras` file (which loads on any backend) and the
    artifact is written by a subprocess running that backend (`python -m
    keras_rec_tx.serving._artifacts`), so a model trained on any backend
    exports to either format; TensorFlow (resp. torch, and `onnx`) must be
    installed. This route is used because neither `jax2tf` nor
    Keras's own ONNX export of JAX/TF models covers a custom serving
    function with lookup tables and dynamic shapes on every backend. A
    model of a custom subclass must be importable (registered) in that
    subprocess. The folder appears whole or not at all: it is written
    beside `filepath` and moved over it (an existing export there is
    replaced).

    Args:
        model: a `keras_rec_tx.models.SequentialRecommender`.
        filepath: the folder to write.
        k: items returned per history, `1..num_items`; defaults to the
            model's `top_k`.
        format: `"tf_saved_model"` or `"onnx"`.
        verbose: print where the artifact was written.

    Returns:
        `filepath` as a string.

    Example:

    ```python
    import keras_rec_tx as krt

    model = krt.zoo.get("rope_swiglu", num_items=50, d_model=16, max_len=8)
    krt.serving.export(model, "served", k=10)

    # In any process with only TensorFlow installed:
    import tensorflow as tf

    served = tf.saved_model.load("served")
    out = served.serve(tf.constant([[0, 3, 7], [5, 6, 9]], tf.int64))
    out["item_ids"], out["scores"]  # (2, 10) each
    ```
    """
    from keras_rec_tx.models import SequentialRecommender

    if not isinstance(model, SequentialRecommender):
        raise TypeError(
            "`model` must be a keras_rec_tx.models.SequentialRecommender. "
            f"Received: {type(model).__name__}"
        )
    format = check_choice("format", format, FORMATS)
    k = model.top_k if k is None else k
    k = check_int("k", k, minimum=1, maximum=model.num_items)
    verbose = check_bool("verbose", verbose)
    target = pathlib.Path(filepath)
    folder = target.parent if str(target.parent) else pathlib.Path(".")
    if not folder.is_dir():
        raise FileNotFoundError(
            f"Cannot write {str(target)!r}: its folder {str(folder)!r} does "
            "not exist. Create it first."
        )
    if target.exists() and not target.is_dir():
        raise ValueError(
            "`filepath` must be a folder (the export writes several files), "
            f"but it is an existing file. Received: filepath={str(target)!r}"
        )
    if not model.built:
        model.build()
    tmp = pathlib.Path(
        tempfile.mkdtemp(prefix=f".tmp-{target.name}-", dir=folder)
    )
    try:
        out = tmp / "export"
        out.mkdir()
        if keras.backend.backend() == _WRITER_BACKEND[format]:
            _artifacts.WRITERS[format](model, str(out), k)
        else:
            _export_in_subprocess(model, format, tmp, out, k)
        _replace_folder(out, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if verbose:
        print(f"Saved the {format} top-{k} endpoint at {str(target)!r}.")
    return str(target)


def _export_in_subprocess(
    model: Any, fmt: str, tmp: pathlib.Path, out: pathlib.Path, k: int
) -> None:
    """Writes the artifact from a `.keras` copy under its own backend."""
    model_path = str(tmp / "model.keras")
    keras.saving.save_model(model, model_path)
    package_root = str(pathlib.Path(__file__).resolve().parents[2])
    env = dict(os.environ, KERAS_BACKEND=_WRITER_BACKEND[fmt])
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (package_root, env.get("PYTHONPATH")) if p
    )
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "keras_rec_tx.serving._artifacts",
            fmt,
            model_path,
            str(out),
            str(k),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"Exporting to {fmt!r} under KERAS_BACKEND="
            f"{_WRITER_BACKEND[fmt]} failed (is it installed? "
            "`pip install keras_rec_tx[serving]`):\n" + proc.stderr[-4000:]
        )


def _replace_folder(src: pathlib.Path, target: pathlib.Path) -> None:
    """Moves folder `src` to `target`, replacing an existing folder."""
    old = None
    if target.exists():
        old = target.parent / f".tmp-old-{target.name}-{os.getpid()}"
        os.replace(target, old)
    try:
        os.replace(src, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
