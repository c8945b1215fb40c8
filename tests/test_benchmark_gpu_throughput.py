"""benchmarks/gpu_throughput.py --smoke runs on a CPU and writes its file."""

import json
import os
import pathlib
import re
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(
    os.environ.get("KERAS_BACKEND") != "jax",
    reason="runs a subprocess; once is enough (KERAS_BACKEND=jax pass)",
)

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_smoke_run_writes_result(tmp_path):
    env = dict(os.environ, KERAS_BACKEND="jax")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.gpu_throughput",
            "--smoke",
            f"--output_dir={tmp_path}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    files = list(tmp_path.glob("jax_*.json"))
    assert len(files) == 1, files
    result = json.loads(files[0].read_text())
    assert result["backend"] == "jax"
    assert result["smoke"] is True
    assert result["preset"] == "rope_swiglu_time"
    safe = re.sub(r"[^A-Za-z0-9.-]+", "_", result["device"]).strip("_")
    assert files[0].name == f"jax_{safe}.json"
    config = result["config"]
    tokens = config["batch_size"] * config["max_len"]
    assert result["tokens_per_step"] == tokens
    assert result["tokens_per_s"] == pytest.approx(
        tokens / (result["step_ms_median"] / 1e3)
    )
    assert result["flops_per_token"]["total"] > 0
    assert 0 < result["mfu"] < 1
    assert result["machine"]["device"] == result["device"]
    assert "benchmarks.gpu_throughput --smoke" in result["command"]
    assert result["date"]


def test_flops_formula_by_hand():
    """speed.flops_per_token (used by both scripts) against a hand count."""
    from benchmarks import speed
    from keras_rec_tx import zoo

    model = zoo.get("sasrec_plus", num_items=100, compile=False)
    d, d_ff, seq = 64, 256, 50
    flops = speed.flops_per_token(model, seq)
    # q, k, v, o (d x d) and the GeLU FFN (d x 4d, 4d x d); 1 block.
    assert flops["matmul_params"] == 4 * d * d + 2 * d * d_ff
    assert flops["dense"] == 6 * (4 * d * d + 2 * d * d_ff)
    assert flops["attention"] == 12 * seq * d * 1
    assert flops["output"] == 6 * d * (1 + 256)  # 256 sampled negatives
    bce = speed.flops_per_token(zoo.get("sasrec", num_items=100), seq)
    assert bce["output"] == 6 * 50 * 2  # target + one negative, d 50
    assert bce["attention"] == 12 * seq * 50 * 2  # 2 blocks
