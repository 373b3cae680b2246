#!/usr/bin/env bash
# Installs Kedro + kedro-mlflow (the W7 bench's side-by-side baseline) into bench/.venv-kedro/.
# Idempotent: a no-op when the pinned versions are installed. Usage: bash bench/setup-kedro.sh [VENV_DIR]
set -euo pipefail
cd "$(dirname "$0")"
VENV="${1:-.venv-kedro}"
KEDRO="1.7.0"
KEDRO_MLFLOW="2.0.3"
# kedro-mlflow imports kedro_datasets without declaring it (every Kedro project template has it).
DATASETS="9.6.0"
PY="${PYTHON:-python3}"

installed() {
  "$VENV/bin/python" - "$KEDRO" "$KEDRO_MLFLOW" "$DATASETS" 2>/dev/null <<'PY'
import sys
from importlib.metadata import version
wanted = tuple(sys.argv[1:4])
sys.exit(0 if tuple(version(d) for d in ("kedro", "kedro-mlflow", "kedro-datasets")) == wanted else 1)
PY
}

if [ -x "$VENV/bin/python" ] && installed; then
  echo "kedro $KEDRO + kedro-mlflow $KEDRO_MLFLOW already installed in bench/$VENV"
  exit 0
fi
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "kedro==$KEDRO" "kedro-mlflow==$KEDRO_MLFLOW" \
  "kedro-datasets==$DATASETS"
installed || { echo "setup-kedro: kedro $KEDRO / kedro-mlflow $KEDRO_MLFLOW not found in bench/$VENV after install" >&2; exit 1; }
echo "kedro $KEDRO + kedro-mlflow $KEDRO_MLFLOW installed in bench/$VENV"
