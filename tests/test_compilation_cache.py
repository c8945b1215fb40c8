"""keras_rec_tx.utils.enable_compilation_cache: JAX keeps compiled
programs under the Keras home; other backends are left alone."""

import os

import keras
import pytest

from keras_rec_tx.utils import enable_compilation_cache
from tests.child_process import run_child

CHILD = """
import os, sys
import jax, jax.numpy as jnp
from keras_rec_tx.utils import enable_compilation_cache
folder = enable_compilation_cache()
print("folder", folder)
# Cache even this tiny program (it may compile in under the 0.1 s the
# library asks for), so the check does not depend on the machine's speed.
jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
step = jax.jit(lambda x: jnp.tanh(x @ x.T).sum())
step(jnp.ones((64, 64))).block_until_ready()
print("entries", len(os.listdir(folder)) if folder else 0)
print("again", enable_compilation_cache(sys.argv[1]))
"""


def _child(tmp_path):
    env = dict(os.environ, KERAS_BACKEND="jax", KERAS_HOME=str(tmp_path))
    env.pop("JAX_COMPILATION_CACHE_DIR", None)
    env.pop("KERAS_REC_TX_COMPILATION_CACHE", None)
    return run_child(CHILD, env, str(tmp_path / "other"))


@pytest.mark.skipif(
    keras.backend.backend() != "jax", reason="JAX only; runs in a subprocess"
)
def test_jax_programs_are_cached_under_the_keras_home(tmp_path):
    lines = _child(tmp_path)
    assert lines["folder"] == str(tmp_path / "jax_compilation_cache")
    assert int(lines["entries"]) >= 1
    # A cache already configured is left as it is.
    assert lines["again"] == "None"


def test_turned_off_by_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_REC_TX_COMPILATION_CACHE", "0")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert enable_compilation_cache() is None
    assert not list(tmp_path.iterdir())


@pytest.mark.skipif(keras.backend.backend() == "jax", reason="other backends")
def test_other_backends_have_no_cache(tmp_path):
    assert enable_compilation_cache(tmp_path) is None
    assert not list(tmp_path.iterdir())
