"""JAX's persistent compilation cache, on by default in the trainer and CLI.

Under JAX every new input shape (each bucket length of the batches) and
every new model compiles its programs with XLA, which dominates the first
epoch of a short fit. JAX can keep the compiled programs on disk and reuse
them in later processes whose programs are the same (same preset, shapes
and backend version): the second `krt.fit` or CLI run of a configuration
skips most of that compile time. TensorFlow and PyTorch have no such cache
on the CPU; there this is a no-op.

The cache lives under the Keras home (`~/.keras/jax_compilation_cache`,
or `$KERAS_HOME/jax_compilation_cache`); `$KERAS_REC_TX_COMPILATION_CACHE`
names another folder, and `0` there turns it off.
"""

from __future__ import annotations

import os
import pathlib

import keras

ENV = "KERAS_REC_TX_COMPILATION_CACHE"


def default_cache_dir() -> pathlib.Path:
    """`jax_compilation_cache` under the Keras home (`$KERAS_HOME` or
    `~/.keras`)."""
    home = os.environ.get("KERAS_HOME") or os.path.join(
        os.path.expanduser("~"), ".keras"
    )
    return pathlib.Path(home) / "jax_compilation_cache"


def enable_compilation_cache(
    path: str | os.PathLike | None = None,
) -> pathlib.Path | None:
    """Turns on JAX's persistent compilation cache in `path`.

    Args:
        path: the cache folder (created if needed). Default:
            `$KERAS_REC_TX_COMPILATION_CACHE`, else `default_cache_dir()`.

    Returns:
        The folder in use, or None when nothing was turned on: another
        backend than JAX, `$KERAS_REC_TX_COMPILATION_CACHE=0`, a folder
        that cannot be created, or a cache the user already configured
        (`jax_compilation_cache_dir` set), which is left as it is.
    """
    if keras.backend.backend() != "jax":
        return None
    import jax  # Only under the JAX backend: no module-level backend import.

    if jax.config.jax_compilation_cache_dir:
        return None
    env = os.environ.get(ENV)
    if path is None and env == "0":
        return None
    folder = pathlib.Path(path or env or default_cache_dir())
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # A cache is an optimisation: never fail a run for it.
    jax.config.update("jax_compilation_cache_dir", str(folder))
    # JAX caches only programs slower than 1 s to compile by default; a
    # small model's train step compiles in less, and still adds up.
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.1)
    return folder
