#!/bin/bash
# The prepared GPU check, one command on a lent GPU machine:
#   1. benchmarks.gpu_throughput alone on the card (tokens/s, MFU); with
#      SWEEP=1 its --sweep instead: the baseline, all levers together and
#      each lever (bf16, dropout 0 / fused attention, flash, batch 1024,
#      XLA flags, shared negatives), one process each, within
#      SWEEP_BUDGET seconds (CONFIG_TIMEOUT each);
#   2. the "gpu" suite of benchmarks.run, JOBS runs at once on the same
#      card, each training at most LIMIT seconds (time_limit_s); SUITE=none
#      skips it.
# Everything it writes goes to $OUT (the device tool brings it back):
# nvidia_smi.txt, probe.txt, throughput.log, the throughput JSONs,
# suite.log and gpu_runs.tgz (result files + one log per run).
#
# The throughput sweep alone (about 6 minutes; results land in $OUT and
# belong in benchmarks/results/gpu/):
#   OUT=$OUT SWEEP=1 SUITE=none bash benchmarks/gpu_check.sh
#
# Needs keras and its pure-Python dependencies importable (the lent
# machine has none: carry wheels in .whl/, installed here into /tmp/site)
# and the data under DATA_DIR (default .devdata, a link to ../shared/data
# whose files are carried by path; nothing is committed).
#
#   OUT=/tmp/out SUITE=smoke JOBS=2 LIMIT=5 THROUGHPUT_FLAGS=--smoke \
#       WHEELS=none bash benchmarks/gpu_check.sh   # CPU dry run
#   OUT=/tmp/out SWEEP=1 SUITE=none THROUGHPUT_FLAGS="--smoke \
#       --sweep_configs=baseline,combined" WHEELS=none \
#       bash benchmarks/gpu_check.sh              # CPU dry run of the sweep
set -u
OUT=${OUT:-/tmp/gpu_check_out}
SUITE=${SUITE:-gpu}
JOBS=${JOBS:-6}
LIMIT=${LIMIT:-420}
DATA_DIR=${DATA_DIR:-.devdata}
THROUGHPUT_FLAGS=${THROUGHPUT_FLAGS:-}
WHEELS=${WHEELS:-.whl}
THROUGHPUT=${THROUGHPUT:-1}  # 0: skip step 1
SWEEP=${SWEEP:-0}            # 1: step 1 runs gpu_throughput --sweep
SWEEP_BUDGET=${SWEEP_BUDGET:-330}
CONFIG_TIMEOUT=${CONFIG_TIMEOUT:-90}
ONLY=${ONLY:-}               # run names of the suite, comma-separated
SEEDS=${SEEDS:-}             # override the suite's seeds, comma-separated
mkdir -p "$OUT"
# A fresh folder per call: on a machine still warm from an earlier call,
# a shared one would make run.py skip that call's finished runs.
WORK=$(mktemp -d /tmp/gpu_check.XXXXXX)
export PYTHONUNBUFFERED=1 XLA_PYTHON_CLIENT_PREALLOCATE=false
# Compiling, not training, bounded the first GPU runs (a first epoch of
# 289 s, later ones of 1 s, in the fit logs of the first GPU session):
# no GEMM autotuning.
export XLA_FLAGS="${XLA_FLAGS:-} --xla_gpu_autotune_level=0"
if ls "$WHEELS"/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile \
    --no-cache-dir --upgrade --target /tmp/site "$WHEELS"/*.whl || exit 1
  export PYTHONPATH=/tmp/site
fi
export PYTHONPATH="${PYTHONPATH:+$PYTHONPATH:}$PWD"
PY=${PY:-python3}
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv \
  >"$OUT/nvidia_smi.txt" 2>&1 || echo "no nvidia-smi" >"$OUT/nvidia_smi.txt"

# JAX compiles each step once; fall back to torch if JAX cannot run keras.
export KERAS_BACKEND=jax
if ! "$PY" -c "import keras, jax; print(jax.devices()); \
print(keras.ops.sum(keras.ops.ones((4, 4))))" >"$OUT/probe.txt" 2>&1; then
  export KERAS_BACKEND=torch
  "$PY" -c "import keras, torch; print(torch.cuda.is_available())" \
    >>"$OUT/probe.txt" 2>&1
fi
echo "backend: $KERAS_BACKEND" >>"$OUT/probe.txt"

start=$(date +%s)
if [ "$THROUGHPUT" = 1 ] && [ "$SWEEP" = 1 ]; then
  # Short runs (2 untimed, 15 timed steps), the same for every config.
  # shellcheck disable=SC2086
  timeout $((SWEEP_BUDGET + 60)) "$PY" -m benchmarks.gpu_throughput \
    --sweep --warmup=2 --steps=15 --sweep_budget_s="$SWEEP_BUDGET" \
    --config_timeout_s="$CONFIG_TIMEOUT" --output_dir="$WORK/gpu" \
    $THROUGHPUT_FLAGS >"$OUT/throughput.log" 2>&1
  cp "$WORK"/gpu/*.json "$OUT/" 2>/dev/null
  echo "throughput sweep: $(($(date +%s) - start)) s" >>"$OUT/probe.txt"
elif [ "$THROUGHPUT" = 1 ]; then
  # shellcheck disable=SC2086
  timeout 120 "$PY" -m benchmarks.gpu_throughput $THROUGHPUT_FLAGS \
    >"$OUT/throughput.log" 2>&1
  cp benchmarks/results/gpu/*.json "$OUT/" 2>/dev/null
  echo "throughput: $(($(date +%s) - start)) s" >>"$OUT/probe.txt"
fi
if [ "$SUITE" = none ]; then
  exit 0
fi

# cuBLAS instead of untuned Triton GEMMs: 2.2x the training step's
# tokens/s on an H200 at no compile cost (the xla_cublas row of the sweep,
# benchmarks/results/gpu/).
export XLA_FLAGS="$XLA_FLAGS --xla_gpu_enable_triton_gemm=false"
timeout $((LIMIT + 110)) "$PY" -m benchmarks.run --suite="$SUITE" \
  --jobs="$JOBS" --time_limit_s="$LIMIT" --data_dir="$DATA_DIR" \
  --results_dir="$WORK/gpu_runs" --jobs_log_dir="$WORK/gpu_logs" \
  ${ONLY:+--only="$ONLY"} ${SEEDS:+--seeds="$SEEDS"} \
  >"$OUT/suite.log" 2>&1
echo "suite: $(($(date +%s) - start)) s" >>"$OUT/probe.txt"
tar czf "$OUT/gpu_runs.tgz" -C "$WORK" gpu_runs gpu_logs 2>>"$OUT/probe.txt"
ls "$WORK/gpu_runs" >>"$OUT/probe.txt" 2>&1
exit 0
