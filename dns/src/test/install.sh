#!/usr/bin/env bash
# Installs what DigTest needs: dig (Debian's bind9-dnsutils). Does nothing when it is already there.
set -euo pipefail
if [[ ! -x /usr/bin/dig ]]; then
  echo "installing dig for the dns hop's DigTest (apt-get)…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bind9-dnsutils >/dev/null
fi
