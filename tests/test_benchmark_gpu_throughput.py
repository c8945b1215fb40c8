"""benchmarks/gpu_throughput.py: --smoke --sweep runs on a CPU and writes
one file per configuration, with its settings."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

from benchmarks import gpu_throughput

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.mark.skipif(
    os.environ.get("KERAS_BACKEND") != "jax",
    reason="runs subprocesses; once is enough (KERAS_BACKEND=jax pass)",
)
def test_smoke_sweep_writes_one_result_per_config(tmp_path):
    """The levers together (bf16, dropout 0, twice the batch, cuBLAS XLA
    flag) in their own process, as --sweep runs each configuration on a
    GPU. One configuration only: each costs a process start and a
    compile (the baseline is the plain run, whose file name has its own
    test below)."""
    env = dict(os.environ, KERAS_BACKEND="jax", XLA_FLAGS="")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.gpu_throughput",
            "--smoke",
            "--sweep",
            "--sweep_configs=combined",
            "--config_timeout_s=500",
            "--sweep_budget_s=1000",
            f"--output_dir={tmp_path}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1100,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    files = sorted(p.name for p in tmp_path.glob("*.json"))
    assert files == ["jax_cpu__combined.json"], files
    fast = json.loads((tmp_path / "jax_cpu__combined.json").read_text())
    assert fast["name"] == "combined"
    assert fast["status"] == "ok"
    assert fast["backend"] == "jax"
    assert fast["smoke"] is True
    assert fast["preset"] == "rope_swiglu_time"
    config = fast["config"]
    tokens = config["batch_size"] * config["max_len"]
    assert fast["tokens_per_step"] == tokens
    assert fast["tokens_per_s"] == pytest.approx(
        tokens / (fast["step_ms_median"] / 1e3)
    )
    assert fast["tokens_per_s"] > 0
    assert fast["flops_per_token"]["total"] > 0
    assert 0 < fast["mfu"] < 1
    assert fast["machine"]["device"] == fast["device"]
    assert "--name=combined" in fast["command"]
    assert fast["date"]
    # The loss stays float32 under bf16; the sampled softmax of the
    # preset is kept.
    settings = fast["settings"]
    assert settings["loss"] == "sampled_softmax"
    assert settings["loss_config"]["num_negatives"] == 256
    assert settings["loss_dtype"] == "float32"
    assert settings["flash_attention_requested"] is None
    assert settings["batch_size"] == config["batch_size"]
    # The levers, all recorded.
    assert fast["settings"]["dtype_policy"] == "mixed_bfloat16"
    assert fast["settings"]["compute_dtype"] == "bfloat16"
    assert fast["settings"]["variable_dtype"] == "float32"
    assert fast["matmul_peak"]["dtype"] == "bfloat16"
    assert fast["settings"]["dropout"] == 0.0
    assert fast["settings"]["attention_path"] == (
        "keras.ops.dot_product_attention"
    )
    smoke_batch = gpu_throughput.SMOKE["batch_size"]
    assert fast["config"]["batch_size"] == 2 * smoke_batch
    assert fast["requested"]["dropout"] == 0.0
    assert fast["settings"]["xla_flags"] == (
        gpu_throughput.SWEEP["combined"].xla_flags
    )
    assert "[sweep] combined: ok" in proc.stdout


def test_result_filename_keeps_the_baseline_name():
    name = gpu_throughput.result_filename("jax", "NVIDIA H100 80GB HBM3")
    assert name == "jax_NVIDIA_H100_80GB_HBM3.json"
    assert (ROOT / "benchmarks" / "results" / "gpu" / name).exists()
    assert (
        gpu_throughput.result_filename("torch", "cpu", "bf16")
        == "torch_cpu__bf16.json"
    )


def test_merge_xla_flags_replaces_the_same_flag():
    merged = gpu_throughput.merge_xla_flags(
        "--xla_gpu_autotune_level=0 --xla_foo=1", "--xla_gpu_autotune_level=4"
    )
    assert merged == "--xla_foo=1 --xla_gpu_autotune_level=4"
    assert gpu_throughput.merge_xla_flags("", "--a=1") == "--a=1"


def test_sweep_starts_with_the_baseline_and_the_combination():
    assert list(gpu_throughput.SWEEP)[:2] == ["baseline", "combined"]
    assert gpu_throughput.SWEEP["baseline"] == gpu_throughput.Config({})


def test_mark_timeout_marks_only_the_started_file(tmp_path):
    started = {"benchmark": "gpu_throughput", "name": "bf16"}
    (tmp_path / "a.json").write_text(
        json.dumps({**started, "status": "started"})
    )
    (tmp_path / "b.json").write_text(json.dumps({**started, "status": "ok"}))
    gpu_throughput.mark_timeout(tmp_path, "bf16", 12.3)
    a = json.loads((tmp_path / "a.json").read_text())
    assert a["status"] == "timeout" and a["error"] == "killed after 12 s"
    assert json.loads((tmp_path / "b.json").read_text())["status"] == "ok"


def test_flops_formula_by_hand():
    """speed.flops_per_token (used by both scripts) against a hand count."""
    from benchmarks import speed
    from keras_rec_tx import zoo

    model = zoo.get("sasrec_ss", num_items=100, compile=False)
    d, d_ff, seq = 64, 256, 50
    flops = speed.flops_per_token(model, seq)
    # q, k, v, o (d x d) and the GeLU FFN (d x 4d, 4d x d); 1 block.
    assert flops["matmul_params"] == 4 * d * d + 2 * d * d_ff
    assert flops["dense"] == 6 * (4 * d * d + 2 * d * d_ff)
    assert flops["attention"] == 12 * seq * d * 1
    assert flops["output"] == 6 * d * (1 + 256)  # 256 sampled negatives
    strong = zoo.get("sasrec_plus", num_items=100, compile=False)
    assert speed.flops_per_token(strong, seq)["output"] == 6 * d * 1025
    bce = speed.flops_per_token(zoo.get("sasrec", num_items=100), seq)
    assert bce["output"] == 6 * 50 * 2  # target + one negative, d 50
    assert bce["attention"] == 12 * seq * 50 * 2  # 2 blocks


def test_error_text_keeps_the_cause():
    try:
        try:
            raise ValueError("Flash attention is not supported.")
        except ValueError as cause:
            raise RuntimeError(
                "Unable to automatically build the model."
            ) from cause
    except RuntimeError as e:
        text = gpu_throughput.error_text(e)
    assert text == (
        "RuntimeError: Unable to automatically build the model. <- "
        "ValueError: Flash attention is not supported."
    )


def test_mfu_cell_names_its_probe_and_refuses_a_ratio_above_one():
    from benchmarks.report.sections.speed import _gpu_mfu

    fair = {"mfu": 0.164, "matmul_peak": {"n": 8192, "gflops": 612_000.0}}
    assert _gpu_mfu(fair) == "16.4% of 612 TFLOP/s (n 8192)"
    # An untuned probe slower than the model's own matmuls is no peak.
    slow = {
        "mfu": 1.158,
        "matmul_peak": {"n": 4096, "gflops": 9_900.0},
        "model_tflops_per_s": 11.5,
    }
    assert _gpu_mfu(slow).startswith("n/a (probe n 4096: 9.9 < model 11.5")
