"""A model saved under each backend loads under each backend (all 9 pairs).

Runs the backends in subprocesses; it is backend-independent, so it runs in
the pass of one backend only (jax) to keep the suite quick.
"""

import json
import os
import textwrap

import keras
import pytest

from tests.child_process import run_python

BACKENDS = ("tensorflow", "jax", "torch")

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "jax",
    reason="cross-backend test runs once, in the jax pass",
)

SAVE = textwrap.dedent(
    """
    import sys, numpy as np, keras, keras_rec_tx as krt
    out = sys.argv[1]
    model = krt.zoo.get("rope_swiglu_time", num_items=40, d_model=16,
                        max_len=10, dropout=0.0)
    rng = np.random.default_rng(0)
    x = rng.integers(1, 41, size=(32, 10)).astype("int32")
    t = np.cumsum(rng.integers(1, 10**5, size=(32, 10)), 1).astype("int32")
    inputs = {"item_ids": x, "timestamps": t, "query_timestamps": t + 5}
    model.fit(inputs, np.roll(x, -1, 1), epochs=2, verbose=0)
    model.save(out + ".keras")
    np.savez(out + ".npz", x=x, t=t)
    np.save(out + ".scores.npy", keras.ops.convert_to_numpy(
        model.score(inputs)))
    """
)

LOAD = textwrap.dedent(
    """
    import sys, json, numpy as np, keras
    import keras_rec_tx  # registers the classes
    diffs = {}
    for prefix in sys.argv[1:]:
        model = keras.saving.load_model(prefix + ".keras")
        data = np.load(prefix + ".npz")
        inputs = {"item_ids": data["x"], "timestamps": data["t"],
                  "query_timestamps": data["t"] + 5}
        scores = keras.ops.convert_to_numpy(model.score(inputs))
        expected = np.load(prefix + ".scores.npy")
        finite = np.isfinite(expected)
        assert (np.isfinite(scores) == finite).all()
        diffs[prefix] = float(np.abs(scores[finite] - expected[finite]).max())
    print(json.dumps(diffs))
    """
)


def run(backend, script, *args):
    env = dict(os.environ, KERAS_BACKEND=backend)
    return run_python(script, env, *args, timeout=600)


def test_all_nine_backend_pairs(tmp_path):
    prefixes = {b: str(tmp_path / f"saved_{b}") for b in BACKENDS}
    for backend, prefix in prefixes.items():
        run(backend, SAVE, prefix)
    for backend in BACKENDS:
        out = run(backend, LOAD, *prefixes.values())
        diffs = json.loads(out.strip().splitlines()[-1])
        for prefix, diff in diffs.items():
            assert diff < 1e-5, (backend, prefix, diff)
        assert len(diffs) == 3
