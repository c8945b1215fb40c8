"""keras_rec_tx.utils: argument checks, safe file writes, JAX's
compilation cache and glibc's malloc thresholds under TensorFlow, shared
by every part of the package (imports nothing else of keras_rec_tx)."""

from keras_rec_tx.utils.atomic import atomic_path, atomic_write_text
from keras_rec_tx.utils.compilation_cache import enable_compilation_cache
from keras_rec_tx.utils.malloc import restore_malloc_thresholds
from keras_rec_tx.utils.validation import (
    check_bool,
    check_choice,
    check_float,
    check_int,
    check_int_list,
)

__all__ = [
    "atomic_path",
    "atomic_write_text",
    "check_bool",
    "check_choice",
    "check_float",
    "check_int",
    "check_int_list",
    "enable_compilation_cache",
    "restore_malloc_thresholds",
]
