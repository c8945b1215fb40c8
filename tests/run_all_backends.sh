#!/usr/bin/env bash
# Runs the unit suite once per Keras backend; fails if any backend fails.
# Usage: bash tests/run_all_backends.sh [extra pytest args]
set -u
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-$(command -v python || command -v python3)}"
status=0
echo "=== ruff (lint + format check) ==="
"$PYTHON" -m ruff check keras_rec_tx tests benchmarks examples || status=1
"$PYTHON" -m ruff format --check keras_rec_tx tests benchmarks examples \
  || status=1
for backend in tensorflow jax torch; do
  echo "=== KERAS_BACKEND=$backend ==="
  xla_flags="${XLA_FLAGS:-}"
  if [ "$backend" = jax ]; then
    # JAX compiles a program per model and input shape, and the suite
    # builds hundreds of tiny models: LLVM's optimisation of the generated
    # CPU code is most of that time and buys nothing here (the pass took
    # 136 s instead of 80 s on a sample of model tests with it).
    xla_flags="$xla_flags --xla_backend_optimization_level=0"
  fi
  KERAS_BACKEND=$backend XLA_FLAGS="$xla_flags" \
    "$PYTHON" -m pytest tests -p no:cacheprovider "$@" || status=1
done
exit $status
