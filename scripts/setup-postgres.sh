#!/usr/bin/env bash
# Installs Debian's PostgreSQL server binaries (initdb, pg_ctl) for the sql dataset tests and the
# sql.table bench, which start a private cluster of their own (test/helpers/postgres.ts). The
# service Debian would start is not used. Idempotent: a no-op when initdb is already there.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "postgresql $(ls /usr/lib/postgresql | sort -V | tail -n1) already installed"
  exit 0
fi
echo "setup: installing Debian postgresql" >&2
if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
ls /usr/lib/postgresql/*/bin/initdb >/dev/null
