#!/usr/bin/env bash
# Installs moto's S3-compatible server (moto_server) into .venv-moto/ for the storage tests: the
# suite starts it on a free loopback port. Idempotent: a no-op when the pinned version is there.
# Usage: bash scripts/setup-moto.sh [VENV_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${1:-.venv-moto}"
PIN="5.2"
PY="${PYTHON:-python3}"

installed() {
  [ -x "$VENV/bin/moto_server" ] && ls -d "$VENV"/lib/python*/site-packages/moto-"$PIN".*.dist-info >/dev/null 2>&1
}

if installed; then echo "moto $PIN already installed in $VENV"; exit 0; fi
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "moto[server]==$PIN.*"
installed || { echo "setup-moto: moto $PIN.* not found in $VENV after install" >&2; exit 1; }
echo "moto $PIN installed in $VENV"
