"""Undoes TensorFlow's process-wide malloc setting for `from_generator`.

Under the TensorFlow backend Keras feeds a `keras.utils.PyDataset` (such
as `SequenceBatches`) to `fit`/`evaluate` through
`tf.data.Dataset.from_generator`, and there is no Keras option to feed it
otherwise. TensorFlow's generator kernel, the first time one is built in
a process, calls glibc's `mallopt(M_MMAP_THRESHOLD, 128 KiB)` against a
Python 3.11 memory leak (tensorflow/tensorflow#65675). That fixes the
threshold and turns off glibc's dynamic one: every tensor of 128 KiB or
more is then `mmap`ed afresh and unmapped when freed, so each step
page-faults its activations and gradients in again. On one CPU core this
doubles the time of a training epoch of a small model (MovieLens-100k,
`rope_swiglu_time`: about 1.1 million page faults and 3.7 s of kernel
time per epoch of 8 steps); arrays fed to `train_on_batch` never build
the kernel and run at full speed.
"""

import ctypes
import os
import sys

import keras

# glibc's mallopt parameters (malloc.h) and the largest mmap threshold its
# dynamic adjustment reaches on 64-bit systems (DEFAULT_MMAP_THRESHOLD_MAX),
# with the trim threshold that adjustment pairs with it (twice as large).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD = 32 * 1024 * 1024
# A user who tunes malloc through these keeps their setting.
_USER_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")

_checked = False


def restore_malloc_thresholds() -> bool:
    """Sets glibc's mmap and trim thresholds back to where its own dynamic
    adjustment would take them (32 MiB and 64 MiB), after TensorFlow's
    generator kernel fixed the first at 128 KiB (see the module doc).

    Does something once per process, under the TensorFlow backend on
    glibc only, and not where `MALLOC_MMAP_THRESHOLD_` or
    `MALLOC_TRIM_THRESHOLD_` is set (set `MALLOC_MMAP_THRESHOLD_=131072`
    to keep TensorFlow's setting). Memory of freed large tensors is then
    kept for reuse instead of returned to the system at once, as without
    `from_generator`. `SequentialRecommender.fit` and `evaluate` call it.

    Returns:
        Whether the thresholds were set by this call.
    """
    global _checked
    if _checked or keras.backend.backend() != "tensorflow":
        return False
    _checked = True
    if not sys.platform.startswith("linux") or any(
        name in os.environ for name in _USER_SETTINGS
    ):
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return False  # Not glibc: TensorFlow's call did nothing either.
    import tensorflow as tf  # Only under the TensorFlow backend.

    # TensorFlow makes its call once per process, when the first generator
    # kernel is built (an iterator's creation): build one now, so that
    # this setting comes after it.
    iter(
        tf.data.Dataset.from_generator(
            lambda: iter(()), output_signature=tf.TensorSpec((), tf.int32)
        )
    )
    return bool(
        mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
        and mallopt(_M_TRIM_THRESHOLD, 2 * _MMAP_THRESHOLD)
    )
