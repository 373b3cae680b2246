#!/usr/bin/env bash
# Installs DVC, the incremental-run bench's side-by-side baseline, into bench/.venv-dvc/ (pip is a
# no-op when the pin is already there). Usage: bash bench/setup-dvc.sh [VENV_DIR]
set -euo pipefail
cd "$(dirname "$0")"
VENV="${1:-.venv-dvc}"
[ -x "$VENV/bin/python" ] || "${PYTHON:-python3}" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "dvc==3.67.1"
"$VENV/bin/dvc" --version >/dev/null
echo "dvc $("$VENV/bin/dvc" --version) installed in bench/$VENV"
