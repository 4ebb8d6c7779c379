#!/usr/bin/env bash
# Installs what ConsoleTest's browser test needs: Debian's chromium (apt) and playwright-core (npm, the
# version pinned in package-lock.json). Does nothing that is already in place.
set -euo pipefail
cd "$(dirname "$0")"
if [[ ! -x /usr/bin/chromium ]]; then
  echo "installing chromium for the console's browser test (apt-get)…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if ! command -v node >/dev/null 2>&1; then
  echo "installing nodejs for the console's browser test (apt-get)…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
if [[ ! -d node_modules/playwright-core ]]; then
  echo "installing playwright-core for the console's browser test (npm ci)…"
  npm ci --no-audit --no-fund --loglevel=error
fi
