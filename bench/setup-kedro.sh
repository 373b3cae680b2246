#!/usr/bin/env bash
# Installs Kedro + kedro-mlflow, the W7 bench's side-by-side baseline, into bench/.venv-kedro/
# (pip is a no-op when the pins are already there). Usage: bash bench/setup-kedro.sh [VENV_DIR]
set -euo pipefail
cd "$(dirname "$0")"
VENV="${1:-.venv-kedro}"
[ -x "$VENV/bin/python" ] || "${PYTHON:-python3}" -m venv "$VENV"
# kedro-mlflow imports kedro_datasets without declaring it (every Kedro project template has it).
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
  "kedro==1.7.0" "kedro-mlflow==2.0.3" "kedro-datasets==9.6.0"
"$VENV/bin/python" -c 'import kedro_datasets, kedro_mlflow; from importlib.metadata import version as v
print("kedro", v("kedro"), "+ kedro-mlflow", v("kedro-mlflow"), "installed in bench/'"$VENV"'")'
