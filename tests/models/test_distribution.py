"""Many devices with `keras.distribution` (JAX): a `DataParallel` run over
8 devices, a `ModelParallel` run on a 2 x 4 (batch x model) mesh with the
item table sharded, and a `DataParallel` run of two processes (4 devices
each) train, evaluate and recommend as the run on one device does.

JAX takes its device count from `XLA_FLAGS` once, at import, so the runs
are child processes (tests/models/distribution_child.py) on host CPU
devices: one process for the single-device, data- and model-parallel
runs, two for the multi-process one, all three started at once. The code
under test is backend-independent: runs once, under JAX."""

import json
import os
import pathlib
import socket
import subprocess
import sys

import keras
import numpy as np
import pytest

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "jax",
    reason="keras.distribution is JAX-only in Keras 3.15: runs under JAX.",
)

CHILD = pathlib.Path(__file__).with_name("distribution_child.py")
ROOT = CHILD.parents[2]


def _start(devices, *args):
    env = dict(os.environ, KERAS_BACKEND="jax")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    # Keeps the suite's own flags (the JAX pass compiles at -O0).
    env["XLA_FLAGS"] = (
        f"{env.get('XLA_FLAGS', '')} "
        f"--xla_force_host_platform_device_count={devices}"
    )
    return subprocess.Popen(
        [sys.executable, str(CHILD), *map(str, args)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _free_port():
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("distribution")
    one, host = folder / "one.json", folder / "host.json"
    port = _free_port()
    children = [
        _start(8, "one", one),
        _start(4, "host", host, port, 0),
        _start(4, "host", host, port, 1),
    ]
    logs = []
    try:
        for child in children:
            logs.append(child.communicate(timeout=600)[0])
    finally:
        for child in children:
            child.kill()
    for child, log in zip(children, logs):
        assert child.returncode == 0, log[-3000:]
    results = json.loads(one.read_text())
    results["two_processes"] = json.loads(host.read_text())
    return results


def _assert_same_run(run, single):
    np.testing.assert_allclose(run["loss"], single["loss"], atol=1e-5)
    for name, value in single["evaluate"].items():
        assert run["evaluate"][name] == pytest.approx(value, abs=1e-5), name
    assert run["ids"] == single["ids"]
    np.testing.assert_allclose(run["scores"], single["scores"], atol=1e-5)
    np.testing.assert_allclose(run["table"], single["table"], atol=1e-5)


def test_data_parallel_matches_one_device(runs):
    single, run = runs["single"], runs["data_parallel"]
    # 11 rows per batch on one device; padded to 16 for 8 devices.
    assert set(single["rows"]) == {11}
    assert set(run["rows"]) == {16}
    _assert_same_run(run, single)


def test_model_parallel_shards_the_padded_item_table(runs):
    single, run = runs["single"], runs["model_parallel"]
    # Batches split over the 2 rows of the mesh; the 51 table rows padded
    # to 56 and split over its 4 columns.
    assert set(run["rows"]) == {12}
    assert run["table_sharding"] == ["model", None]
    assert len(run["table"]) == 50  # `item_embeddings()`: items only
    _assert_same_run(run, single)
    # The padding rows of the table (51..55) are never recommended.
    assert np.max(run["ids"]) <= 50


def test_two_processes_match_one_process(runs):
    single, run = runs["single"], runs["two_processes"]
    assert run["devices"] == 8
    # Each process gives its half of every batch padded to 16 rows.
    assert set(run["rows"]) == {8}
    np.testing.assert_allclose(run["loss"], single["loss"], atol=1e-5)
