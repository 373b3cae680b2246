#!/usr/bin/env bash
# Installs the pinned MLflow tracking server into .venv-mlflow/ (used by the tracking test
# suite, the W7 bench and `mlc mlflow ui`). Idempotent: a no-op (well under a second) when the
# pinned version is already installed. Usage: bash scripts/setup-mlflow.sh [VENV_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${1:-.venv-mlflow}"
PIN="3.17"
# 3.17: 3.18.0 is listed on the index reachable here, but its own mlflow-skinny/mlflow-tracing
# 3.18 are not, so it cannot be installed.
FALLBACK="3.17"
PY="${PYTHON:-python3}"

installed_version() {
  [ -x "$VENV/bin/mlflow" ] || return 1
  # Read the dist-info folder name instead of importing mlflow (importing costs seconds).
  local d
  d=$(ls -d "$VENV"/lib/python*/site-packages/mlflow-[0-9]*.dist-info 2>/dev/null | head -n1) || return 1
  [ -n "$d" ] || return 1
  # the [auth] extra (basic-auth server app used by the tests) brings Flask-WTF
  ls -d "$VENV"/lib/python*/site-packages/flask_wtf >/dev/null 2>&1 || return 1
  basename "$d" | sed -E 's/^mlflow-([0-9.]+)\.dist-info$/\1/'
}

v=$(installed_version || true)
case "$v" in
  "$PIN".*|"$FALLBACK".*) echo "mlflow $v already installed in $VENV"; exit 0 ;;
esac

if [ ! -x "$VENV/bin/python" ]; then
  echo "creating $VENV with $($PY --version 2>&1)"
  "$PY" -m venv "$VENV"
fi
if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "mlflow[auth]==$PIN.*"; then
  echo "setup-mlflow: WARNING: mlflow==$PIN.* cannot be installed from the index; trying mlflow==$FALLBACK.*" >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "mlflow[auth]==$FALLBACK.*"
fi
v=$(installed_version || true)
case "$v" in
  "$PIN".*|"$FALLBACK".*) echo "mlflow $v installed in $VENV" ;;
  *) echo "setup-mlflow: mlflow $PIN.* not found in $VENV after install" >&2; exit 1 ;;
esac
