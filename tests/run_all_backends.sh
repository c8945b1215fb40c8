#!/usr/bin/env bash
# Runs the unit suite once per Keras backend; fails if any backend fails.
# Usage: bash tests/run_all_backends.sh [extra pytest args]
set -u
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
status=0
for backend in tensorflow jax torch; do
  echo "=== KERAS_BACKEND=$backend ==="
  KERAS_BACKEND=$backend "$PYTHON" -m pytest tests -p no:cacheprovider "$@" \
    || status=1
done
exit $status
