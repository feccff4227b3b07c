#!/usr/bin/env bash
# System packages for the web tests (Debian/Ubuntu): PostgreSQL server binaries (initdb, pg_ctl)
# for the PostgreSQL store tests and Chromium for the end-to-end browser tests (Playwright drives
# /usr/bin/chromium; never `playwright install`); and gcc, which compiles the solver's node
# derivatives (runmuscles.ocp.compiled; without it solves fall back to slower interpreted ones). Idempotent and quiet: installs only what is
# missing. Without these packages the tests that need them skip with a reason.
set -euo pipefail

need=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v runuser > /dev/null || need+=(util-linux)
command -v gcc > /dev/null || need+=(gcc libc6-dev)
[ ${#need[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" > /dev/null
# the Debian package starts a cluster of its own on port 5432; the tests start their own
# throwaway one on a free port and do not need it (stopping it is harmless when none runs)
$SUDO service postgresql stop > /dev/null 2>&1 || true
