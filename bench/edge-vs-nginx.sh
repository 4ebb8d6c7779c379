#!/usr/bin/env bash
# The edge's cache-hit path against Debian nginx's proxy_cache hit path, same machine, same run.
# One origin (nginx serving a ~1 KB JSON file with Cache-Control: public, max-age=3600); in front of it
# nginx proxy_cache and `flow serve --role edge`. wrk over keep-alive HTTP/1.1 hits both in turn
# (ROUNDS rounds, interleaved, so background load hits both alike) and the script prints each round,
# the medians, and edge/nginx ratios for throughput and p99 latency.
#
# Usage: bench/edge-vs-nginx.sh [ROUNDS] [SECONDS] [CONNECTIONS] [WRK_THREADS]
# Ports: BENCH_PORT_BASE (default 29600) .. +40 on 127.0.0.1.
# Afterwards (EDGE_ALLOC=0 skips it) one more edge run under JFR prints the bytes the edge's JVM
# allocated per hit and where (bench/jfr-alloc.py).
set -euo pipefail

ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-10}
CONNECTIONS=${3:-64}
WRK_THREADS=${4:-2}
BASE=${BENCH_PORT_BASE:-29600}
ORIGIN=$BASE; NGINX=$((BASE + 10)); EDGE=$((BASE + 20)); EDGE_ADMIN=$((BASE + 30))
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d /tmp/requestflow-bench.XXXXXX)"
PATH_UNDER_TEST=/api/products/42

need() {
  command -v "$1" >/dev/null 2>&1 && return
  echo "installing $2 with apt-get..." >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq "$2" >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq "$2" >/dev/null; fi
}
need wrk wrk
need nginx nginx
NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)

EDGE_PID=""
cleanup() {
  [ -n "$EDGE_PID" ] && kill "$EDGE_PID" 2>/dev/null && wait "$EDGE_PID" 2>/dev/null || true
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# ~1 KB body: one product as the catalog would return it, padded with a description.
mkdir -p "$WORK/html/api/products" "$WORK/cache" "$WORK/tmp"
python3 - "$WORK/html/api/products/42" <<'PY'
import json, sys
body = {"id": 42, "sku": "RF-HOM-000042", "name": "Handcrafted Marble Mirror", "category": "home",
        "priceCents": 6499, "description": ("Made for daily use: the handcrafted mirror in marble. " * 16).strip()}
text = json.dumps(body)
open(sys.argv[1], "w").write(text[:1000] if len(text) > 1000 else text)
PY
BODY_BYTES=$(stat -c %s "$WORK/html/api/products/42")
chmod -R a+rX "$WORK"   # nginx workers run as an unprivileged user

cat > "$WORK/nginx.conf" <<CONF
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/tmp/body;
  proxy_temp_path $WORK/tmp/proxy;
  fastcgi_temp_path $WORK/tmp/fastcgi;
  uwsgi_temp_path $WORK/tmp/uwsgi;
  scgi_temp_path $WORK/tmp/scgi;
  keepalive_requests 1000000;
  proxy_cache_path $WORK/cache levels=1:2 keys_zone=edge:10m max_size=256m inactive=1h use_temp_path=off;
  upstream origin { server 127.0.0.1:$ORIGIN; keepalive 32; }
  server {                                   # the origin
    listen 127.0.0.1:$ORIGIN;
    root $WORK/html;
    default_type application/json;
    add_header Cache-Control "public, max-age=3600";
  }
  server {                                   # the reference: nginx proxy_cache
    listen 127.0.0.1:$NGINX;
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache edge;
      add_header X-Cache \$upstream_cache_status;
    }
  }
}
CONF
"$NGINX_BIN" -p "$WORK" -c "$WORK/nginx.conf"

# The edge, standalone, in front of the same origin (jar built by the launcher if needed).
"$ROOT/flow" serve --role edge --listen 127.0.0.1:$EDGE --admin 127.0.0.1:$EDGE_ADMIN \
    --upstream http://127.0.0.1:$ORIGIN >"$WORK/edge.log" 2>&1 &
EDGE_PID=$!
for _ in $(seq 1 600); do
  curl -sf -o /dev/null "http://127.0.0.1:$EDGE_ADMIN/readyz" && break
  sleep 0.5
done
curl -sf -o /dev/null "http://127.0.0.1:$EDGE_ADMIN/readyz" || { echo "edge did not start:"; cat "$WORK/edge.log"; exit 1; }

echo "checking both answer from their caches:"
for port in $NGINX $EDGE; do
  curl -s -o /dev/null "http://127.0.0.1:$port$PATH_UNDER_TEST"
  curl -s -D - -o /dev/null "http://127.0.0.1:$port$PATH_UNDER_TEST" | grep -iE '^(HTTP|x-cache|age|content-length):?' \
    | tr -d '\r' | sed "s/^/  :$port  /"
done

run() { # port -> "rps p99_ms"
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "http://127.0.0.1:$1$PATH_UNDER_TEST" \
    | awk '/Requests\/sec/ {rps=$2} / 99%/ {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; p99=v} /Non-2xx/ {bad=$4} END {printf "%s %s %s\n", rps, p99, bad+0}'
}

echo "warming up (JIT) for ${SECONDS_PER_RUN}s each..."
run $EDGE >/dev/null
run $NGINX >/dev/null

printf "\n%-6s %-8s %12s %10s\n" round server "req/s" "p99 ms"
NG_RPS=(); NG_P99=(); ED_RPS=(); ED_P99=()
for r in $(seq 1 "$ROUNDS"); do
  read -r rps p99 bad < <(run $NGINX); NG_RPS+=("$rps"); NG_P99+=("$p99")
  printf "%-6s %-8s %12s %10s%s\n" "$r" nginx "$rps" "$p99" "$([ "$bad" != 0 ] && echo "  non-2xx: $bad")"
  read -r rps p99 bad < <(run $EDGE); ED_RPS+=("$rps"); ED_P99+=("$p99")
  printf "%-6s %-8s %12s %10s%s\n" "$r" edge "$rps" "$p99" "$([ "$bad" != 0 ] && echo "  non-2xx: $bad")"
done

median() { printf "%s\n" "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
NR=$(median "${NG_RPS[@]}"); NP=$(median "${NG_P99[@]}")
ER=$(median "${ED_RPS[@]}"); EP=$(median "${ED_P99[@]}")
echo
echo "body ${BODY_BYTES} bytes, wrk -t$WRK_THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s, $ROUNDS interleaved rounds, $(nproc) cores"
printf "median  nginx proxy_cache: %10.0f req/s  p99 %6.2f ms\n" "$NR" "$NP"
printf "median  requestflow edge:  %10.0f req/s  p99 %6.2f ms\n" "$ER" "$EP"
awk -v er="$ER" -v nr="$NR" -v ep="$EP" -v np="$NP" \
  'BEGIN {printf "ratio   edge/nginx throughput %.2f, p99 %.2f (lower is better)\n", er/nr, ep/np}'

if [ "${EDGE_ALLOC:-1}" = 1 ]; then
  JDK_BIN=$(dirname "$(readlink -f "/proc/$EDGE_PID/exe")")
  echo
  echo "allocation per hit: one more ${SECONDS_PER_RUN}s edge run under JFR..."
  "$JDK_BIN/jcmd" "$EDGE_PID" JFR.start name=alloc settings=profile filename="$WORK/alloc.jfr" >/dev/null
  REQS=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" "http://127.0.0.1:$EDGE$PATH_UNDER_TEST" \
    | awk '/requests in/ {print $1}')
  "$JDK_BIN/jcmd" "$EDGE_PID" JFR.stop name=alloc >/dev/null
  python3 "$ROOT/bench/jfr-alloc.py" "$JDK_BIN/jfr" "$WORK/alloc.jfr" "$REQS"
  if [ -n "${EDGE_ALLOC_KEEP:-}" ]; then cp "$WORK/alloc.jfr" "$EDGE_ALLOC_KEEP"; fi
fi
