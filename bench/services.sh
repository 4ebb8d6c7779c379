#!/usr/bin/env bash
# Whole-path benchmark of the product page against a reference measured in the same run, interleaved:
#   reference: GET /api/products/{id}  (one service, same path dns-less: edge → firewall → balancer → gateway → catalog)
#   page:      GET /api/pages/products/{id}  (same path, then the page fans out to four services)
# Needs a running topology (./flow up) and wrk. Usage: bench/services.sh EDGE_HOST:PORT [ROUNDS] [SECONDS]
set -euo pipefail
EDGE="${1:?usage: bench/services.sh EDGE_HOST:PORT [ROUNDS] [SECONDS]}"
ROUNDS="${2:-3}"
SECONDS_PER_RUN="${3:-10}"
HERE="$(cd "$(dirname "$0")" && pwd)"
export PRODUCTS="${PRODUCTS:-10000}" HOT="${HOT:-1000}" HOT_SHARE="${HOT_SHARE:-0.88}"
CONNECTIONS="${CONNECTIONS:-32}"
# warm up gently first (a cold JVM misses the page's 200-300 ms part timeouts, and at full load that opens
# circuits for 30 s), then fill the hot set so "hit" means a hit, as in steady state
for path in /api/products/ /api/pages/products/; do
  BENCH_PATH=$path HOT_SHARE=1 wrk -t1 -c2 -d5s -s "$HERE/mix.lua" "http://$EDGE" >/dev/null
  BENCH_PATH=$path HOT_SHARE=1 wrk -t2 -c16 -d3s -s "$HERE/mix.lua" "http://$EDGE" >/dev/null
done
for round in $(seq 1 "$ROUNDS"); do
  for path in /api/products/ /api/pages/products/; do
    echo "== round $round $path"
    BENCH_PATH=$path wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s "$HERE/mix.lua" "http://$EDGE" \
      | grep -E '^(RESULT|SPLIT)'
  done
done
