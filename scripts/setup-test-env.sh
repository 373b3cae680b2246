#!/usr/bin/env bash
# Installs what the test suite needs besides npm packages: Debian's Chromium (viz and Mermaid
# render tests) and a Python venv with the pinned MLflow server (tracking tests). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  echo "setup: installing Debian chromium" >&2
  if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

if [ -f scripts/setup-mlflow.sh ]; then
  bash scripts/setup-mlflow.sh
fi
bash scripts/setup-moto.sh
bash scripts/setup-postgres.sh
bash scripts/setup-redis.sh
