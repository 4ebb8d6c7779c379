#!/usr/bin/env bash
# The edge's cache-hit path against Debian nginx's proxy_cache hit path, same machine, same run.
# One origin (nginx serving a ~1 KB JSON file with Cache-Control: public, max-age=3600); in front of it
# nginx proxy_cache and `flow serve --role edge`. wrk over keep-alive HTTP/1.1 hits both in turn
# (ROUNDS rounds, interleaved, so background load hits both alike) and the script prints each round,
# the medians, and edge/nginx ratios for throughput and p99 latency.
#
# Usage: bench/edge-vs-nginx.sh [ROUNDS] [SECONDS] [CONNECTIONS] [THREADS]
# BENCH_PROTO=h2: the same over TLS 1.3 and HTTP/2 (h2load, one stream at a time per connection, like
# wrk's one request at a time) against nginx `listen ... ssl http2`; p99 from h2load's per-request log.
# Ports: BENCH_PORT_BASE (default 29600) .. +40 on 127.0.0.1.
# Afterwards (EDGE_ALLOC=0 skips it) one more edge run under JFR prints the bytes the edge's JVM
# allocated per hit and where (bench/jfr-alloc.py).
set -euo pipefail

ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-10}
CONNECTIONS=${3:-64}
WRK_THREADS=${4:-2}
PROTO=${BENCH_PROTO:-h1}
case "$PROTO" in h1|h2) ;; *) echo "BENCH_PROTO must be h1 or h2, not '$PROTO'" >&2; exit 2;; esac
BASE=${BENCH_PORT_BASE:-29600}
ORIGIN=$BASE; NGINX=$((BASE + 10)); EDGE=$((BASE + 20)); EDGE_TLS=$((BASE + 25)); EDGE_ADMIN=$((BASE + 30))
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
if [ "$PROTO" = h2 ]; then need h2load nghttp2-client; need openssl openssl; fi
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

# h2: nginx gets a P-256 certificate, the kind the edge's own CA issues (h2load does not verify either)
NGINX_LISTEN="127.0.0.1:$NGINX"
if [ "$PROTO" = h2 ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
  chmod a+r "$WORK/key.pem"
  NGINX_LISTEN="127.0.0.1:$NGINX ssl http2;
    ssl_certificate $WORK/cert.pem;
    ssl_certificate_key $WORK/key.pem;
    ssl_protocols TLSv1.3 TLSv1.2"
fi

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
    listen $NGINX_LISTEN;
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

# The edge, standalone, in front of the same origin (jar built by the launcher if needed). For h2 it
# listens for TLS too, with its CA created under the scratch directory (not the project's var/).
EDGE_ARGS=()
if [ "$PROTO" = h2 ]; then
  sed "s|^dataDir:.*|dataDir: $WORK/var|" "$ROOT/config/topology.yaml" >"$WORK/topology.yaml"
  EDGE_ARGS=(--config "$WORK/topology.yaml" --tls-listen "127.0.0.1:$EDGE_TLS")
fi
"$ROOT/flow" serve --role edge --listen 127.0.0.1:$EDGE --admin 127.0.0.1:$EDGE_ADMIN "${EDGE_ARGS[@]}" \
    --upstream http://127.0.0.1:$ORIGIN >"$WORK/edge.log" 2>&1 &
EDGE_PID=$!

for _ in $(seq 1 600); do
  curl -sf -o /dev/null "http://127.0.0.1:$EDGE_ADMIN/readyz" && break
  sleep 0.5
done
curl -sf -o /dev/null "http://127.0.0.1:$EDGE_ADMIN/readyz" || { echo "edge did not start:"; cat "$WORK/edge.log"; exit 1; }
SCHEME=http; EDGE_PORT=$EDGE
if [ "$PROTO" = h2 ]; then SCHEME=https; EDGE_PORT=$EDGE_TLS; fi
# the TLS listener opens after the admin port (its certificate is issued first)
for _ in $(seq 1 120); do
  curl -sk -o /dev/null "$SCHEME://127.0.0.1:$EDGE_PORT/" && break
  sleep 0.5
done

echo "checking both answer from their caches ($PROTO):"
for port in $NGINX $EDGE_PORT; do
  curl -sk -o /dev/null "$SCHEME://127.0.0.1:$port$PATH_UNDER_TEST"
  curl -sk -D - -o /dev/null "$SCHEME://127.0.0.1:$port$PATH_UNDER_TEST" | grep -iE '^(HTTP|x-cache|age|content-length):?' \
    | tr -d '\r' | sed "s/^/  :$port  /"
done

run() { # port -> "rps p99_ms non2xx requests"
  if [ "$PROTO" = h2 ]; then
    rm -f "$WORK/h2.log"
    h2load -c"$CONNECTIONS" -t"$WRK_THREADS" -m1 -D"$SECONDS_PER_RUN" --log-file="$WORK/h2.log" \
        "https://127.0.0.1:$1$PATH_UNDER_TEST" >"$WORK/h2.out" 2>&1 || true
    local p99
    p99=$(awk -F'\t' '{print $3}' "$WORK/h2.log" | sort -n | awk '{a[NR]=$1} END {i=int(NR*0.99); if (i<1) i=1; if (NR) printf "%.2f", a[i]/1000; else print 0}')
    awk -v p99="$p99" '/^finished in/ {rps=$4} /^requests:/ {total=$2} /^status codes:/ {ok=$3} END {printf "%s %s %s %s\n", rps, p99, total-ok, total}' "$WORK/h2.out"
  else
    wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "http://127.0.0.1:$1$PATH_UNDER_TEST" \
      | awk '/Requests\/sec/ {rps=$2} / 99%/ {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; p99=v} /requests in/ {n=$1} /Non-2xx/ {bad=$4} END {printf "%s %s %s %s\n", rps, p99, bad+0, n}'
  fi
}

echo "warming up (JIT) for ${SECONDS_PER_RUN}s each..."
run $EDGE_PORT >/dev/null
run $NGINX >/dev/null

printf "\n%-6s %-8s %12s %10s\n" round server "req/s" "p99 ms"
NG_RPS=(); NG_P99=(); ED_RPS=(); ED_P99=()
for r in $(seq 1 "$ROUNDS"); do
  read -r rps p99 bad _ < <(run $NGINX); NG_RPS+=("$rps"); NG_P99+=("$p99")
  printf "%-6s %-8s %12s %10s%s\n" "$r" nginx "$rps" "$p99" "$([ "$bad" != 0 ] && echo "  non-2xx: $bad")"
  read -r rps p99 bad _ < <(run $EDGE_PORT); ED_RPS+=("$rps"); ED_P99+=("$p99")
  printf "%-6s %-8s %12s %10s%s\n" "$r" edge "$rps" "$p99" "$([ "$bad" != 0 ] && echo "  non-2xx: $bad")"
done

median() { printf "%s\n" "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
NR=$(median "${NG_RPS[@]}"); NP=$(median "${NG_P99[@]}")
ER=$(median "${ED_RPS[@]}"); EP=$(median "${ED_P99[@]}")
echo
TOOL="wrk -t$WRK_THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s (HTTP/1.1)"
[ "$PROTO" = h2 ] && TOOL="h2load -t$WRK_THREADS -c$CONNECTIONS -m1 -D$SECONDS_PER_RUN (TLS, HTTP/2)"
echo "body ${BODY_BYTES} bytes, $TOOL, $ROUNDS interleaved rounds, $(nproc) cores"
printf "median  nginx proxy_cache: %10.0f req/s  p99 %6.2f ms\n" "$NR" "$NP"
printf "median  requestflow edge:  %10.0f req/s  p99 %6.2f ms\n" "$ER" "$EP"
awk -v er="$ER" -v nr="$NR" -v ep="$EP" -v np="$NP" \
  'BEGIN {printf "ratio   edge/nginx throughput %.2f, p99 %.2f (lower is better)\n", er/nr, ep/np}'

if [ "${EDGE_ALLOC:-1}" = 1 ]; then
  JDK_BIN=$(dirname "$(readlink -f "/proc/$EDGE_PID/exe")")
  echo
  echo "allocation per hit: one more ${SECONDS_PER_RUN}s edge run under JFR..."
  "$JDK_BIN/jcmd" "$EDGE_PID" JFR.start name=alloc settings=profile filename="$WORK/alloc.jfr" >/dev/null
  read -r _ _ _ REQS < <(run $EDGE_PORT)
  "$JDK_BIN/jcmd" "$EDGE_PID" JFR.stop name=alloc >/dev/null
  python3 "$ROOT/bench/jfr-alloc.py" "$JDK_BIN/jfr" "$WORK/alloc.jfr" "$REQS"
  if [ -n "${EDGE_ALLOC_KEEP:-}" ]; then cp "$WORK/alloc.jfr" "$EDGE_ALLOC_KEEP"; fi
fi
