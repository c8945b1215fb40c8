#!/bin/bash
# Builds RecBole 1.2.1's own virtual environment for
# benchmarks/recbole_sasrec.py (its pins clash with keras'):
#   bash benchmarks/recbole_setup.sh [VENV]      # default .venv-recbole
# numpy<2, scipy<1.14, pandas<2.2 as benchmark issue #4 asks. The issue's
# setuptools<70 cannot go with torch 2.13 (it requires setuptools>=77.0.3);
# <81 keeps pkg_resources, which RecBole's ray 2.6 imports.
set -eu
VENV=${1:-.venv-recbole}
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip
# CPU build of torch (a bare `torch` may pull a multi-GB CUDA build).
"$VENV/bin/pip" install -q "torch==2.13.0" "recbole==1.2.1" "numpy<2" \
  "scipy<1.14" "pandas<2.2" "setuptools>=77.0.3,<81"
"$VENV/bin/python" -c "import recbole, torch; print('recbole', \
recbole.__version__, 'torch', torch.__version__)"
