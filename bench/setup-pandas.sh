#!/usr/bin/env bash
# Installs pandas 2.x, the tables bench's side-by-side baseline (read_csv + groupby), into
# bench/.venv-pandas/ (pip is a no-op when the pin is already there). Usage: bash bench/setup-pandas.sh [VENV_DIR]
set -euo pipefail
cd "$(dirname "$0")"
VENV="${1:-.venv-pandas}"
[ -x "$VENV/bin/python" ] || "${PYTHON:-python3}" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "pandas==2.*"
"$VENV/bin/python" -c 'import pandas; print("pandas", pandas.__version__, "installed in bench/'"$VENV"'")'
