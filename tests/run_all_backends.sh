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
  KERAS_BACKEND=$backend "$PYTHON" -m pytest tests -p no:cacheprovider "$@" \
    || status=1
done
exit $status
