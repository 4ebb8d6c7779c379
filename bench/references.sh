#!/usr/bin/env bash
# Reference servers measured next to Requestflow's hops, with the same tools, in the same run, interleaved
# (docs/benchmarks.md, "## bench suite"). Installs what it needs with apt-get (Debian's nginx, HAProxy,
# Varnish, Knot, dnsperf, wrk): benchmark tools only, never part of the product.
#
#   bench/references.sh [TOPOLOGY.yaml] [REF_PORT_BASE]
#
# The Requestflow stack must already run (./flow up --config TOPOLOGY.yaml). Reference servers listen on
# 127.0.0.1 from REF_PORT_BASE (default 36900) and are stopped on exit. Prints one line per comparison:
# the reference's figure, ours, and the ratio ours/reference.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOPOLOGY="${1:-$ROOT/config/topology.yaml}"
BASE="${2:-36900}"
DURATION="${BENCH_SECONDS:-5}"
CONNS="${BENCH_CONNECTIONS:-16}"
ROUNDS="${BENCH_ROUNDS:-2}"
WORK="$(mktemp -d /tmp/requestflow-refs.XXXXXX)"
chmod 755 "$WORK" # nginx workers and varnishd drop root and must read their files
PIDS=()

cleanup() {
  for p in "${PIDS[@]:-}"; do [[ -n "$p" ]] && kill "$p" 2>/dev/null || true; done
  [[ -f "$WORK/nginx.pid" ]] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  [[ -f "$WORK/varnish.pid" ]] && kill "$(cat "$WORK/varnish.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

need() { # command package
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "references: installing $2 (apt-get)" >&2
  { apt-get install -y -q "$2" >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "$2" >/dev/null 2>&1; }; } || true
  command -v "$1" >/dev/null 2>&1
}
need wrk wrk
need nginx nginx
need haproxy haproxy
need dnsperf dnsperf || true
need knotd knot || true
HAVE_VARNISH=0; need varnishd varnish && HAVE_VARNISH=1 || true

# ports of the running stack, read from the topology (defaults when a key is absent)
port() { # yaml-path default
  python3 - "$TOPOLOGY" "$1" "$2" <<'PY'
import re, sys
path, key, default = sys.argv[1], sys.argv[2].split('.'), sys.argv[3]
try:
    lines = open(path).read().splitlines()
except OSError:
    print(default); sys.exit()
stack = []
for line in lines:
    if not line.strip() or line.lstrip().startswith('#'): continue
    indent = len(line) - len(line.lstrip())
    m = re.match(r'\s*([A-Za-z]+):\s*([^#]*)', line)
    if not m: continue
    while stack and stack[-1][0] >= indent: stack.pop()
    stack.append((indent, m.group(1)))
    if [k for _, k in stack] == key and m.group(2).strip():
        print(m.group(2).strip()); sys.exit()
print(default)
PY
}
CATALOG=$(port services.catalog.port 8500)
GATEWAY=$(port gateway.port 8300)
DNSPORT=$(port dns.port 5353)
EDGE=$(port edge.port 8080)

ORIGIN=$BASE; NGINX_PROXY=$((BASE+1)); HAPROXY=$((BASE+2)); VARNISH=$((BASE+3)); KNOT=$((BASE+53))

# --- reference servers -------------------------------------------------------------------------------
mkdir -p "$WORK/www/api/products" "$WORK/knot"
# the body our catalog returns for product 1, so origin and references move the same bytes
curl -s -H 'Host: shop.requestflow.test' "http://127.0.0.1:$CATALOG/api/products/1" > "$WORK/www/api/products/1" || true
[[ -s "$WORK/www/api/products/1" ]] || head -c 1024 /dev/zero | tr '\0' 'x' > "$WORK/www/api/products/1"

cat > "$WORK/nginx.conf" <<NGX
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/json;
  upstream origin { server 127.0.0.1:$ORIGIN; keepalive 64; }
  server { listen 127.0.0.1:$ORIGIN; root $WORK/www; }
  server { listen 127.0.0.1:$NGINX_PROXY;
    location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection ""; } }
}
NGX
nginx -c "$WORK/nginx.conf" -p "$WORK"

cat > "$WORK/haproxy.cfg" <<HAP
global
  nbthread 1
defaults
  mode http
  timeout connect 1s
  timeout client 10s
  timeout server 10s
  option http-keep-alive
frontend fe
  bind 127.0.0.1:$HAPROXY
  default_backend be
backend be
  http-reuse always
  server origin 127.0.0.1:$ORIGIN
HAP
haproxy -f "$WORK/haproxy.cfg" -db >/dev/null 2>&1 & PIDS+=($!)

if (( HAVE_VARNISH )); then
  cat > "$WORK/default.vcl" <<VCL
vcl 4.1;
backend origin { .host = "127.0.0.1"; .port = "$ORIGIN"; }
sub vcl_backend_response { set beresp.ttl = 300s; }
VCL
  varnishd -a "127.0.0.1:$VARNISH" -f "$WORK/default.vcl" -n "$WORK/varnish" -P "$WORK/varnish.pid" -s malloc,64m \
    -p thread_pools=1 >"$WORK/varnish.log" 2>&1 || { echo "references: varnishd did not start: $(tail -n 3 "$WORK/varnish.log")" >&2; HAVE_VARNISH=0; }
fi

HAVE_KNOT=0
if command -v knotd >/dev/null && command -v dnsperf >/dev/null; then
  cat > "$WORK/knot/requestflow.test.zone" <<ZONE
\$ORIGIN requestflow.test.
\$TTL 30
@    SOA ns.requestflow.test. admin.requestflow.test. 1 3600 600 86400 30
@    NS  ns.requestflow.test.
ns   A   127.0.0.1
shop A   127.0.0.1
ZONE
  cat > "$WORK/knot/knot.conf" <<KNOT
server:
  listen: 127.0.0.1@$KNOT
  rundir: $WORK/knot
  background-workers: 1
  udp-workers: 1
  tcp-workers: 1
database:
  storage: $WORK/knot
template:
  - id: default
    storage: $WORK/knot
zone:
  - domain: requestflow.test
    file: requestflow.test.zone
KNOT
  knotd -c "$WORK/knot/knot.conf" >/dev/null 2>&1 & PIDS+=($!)
  HAVE_KNOT=1
fi
chmod -R a+rX "$WORK"
sleep 1

# --- measurements ------------------------------------------------------------------------------------
wrk_run() { # url host -> "rps avg_us"
  wrk -t1 -c"$CONNS" -d"${DURATION}s" -H "Host: $2" --latency "$1" 2>/dev/null | awk '
    /Requests\/sec/ {rps=$2}
    /Non-2xx/ {bad=$5}
    /^    Latency/ {v=$2; u=v; gsub(/[0-9.]/,"",u); gsub(/[a-z]/,"",v);
      if (u=="ms") v*=1000; else if (u=="s") v*=1000000; avg=v}
    END {if (bad > 0) {print "references: " bad " non-2xx responses from '"$1"'" > "/dev/stderr"}
         printf "%.0f %.0f\n", rps, avg}'
}
dnsperf_run() { # port -> qps
  printf 'shop.requestflow.test A\n' > "$WORK/q.txt"
  dnsperf -s 127.0.0.1 -p "$1" -d "$WORK/q.txt" -l "$DURATION" -c 8 -q 64 2>/dev/null | awk '/Queries per second/ {printf "%.0f\n", $4}'
}

declare -A SUM
add() { SUM[$1]=$(python3 -c "print(${SUM[$1]:-0} + $2)"); }

echo "references: $ROUNDS rounds of ${DURATION}s each, wrk -t1 -c$CONNS, interleaved (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
for round in $(seq 1 "$ROUNDS"); do
  read -r r a <<<"$(wrk_run "http://127.0.0.1:$ORIGIN/api/products/1" shop.requestflow.test)"; add origin_rps "$r"; add origin_us "$a"
  read -r r a <<<"$(wrk_run "http://127.0.0.1:$NGINX_PROXY/api/products/1" shop.requestflow.test)"; add nginx_rps "$r"; add nginx_us "$a"
  read -r r a <<<"$(wrk_run "http://127.0.0.1:$HAPROXY/api/products/1" shop.requestflow.test)"; add haproxy_rps "$r"; add haproxy_us "$a"
  read -r r a <<<"$(wrk_run "http://127.0.0.1:$CATALOG/api/products/1" shop.requestflow.test)"; add catalog_rps "$r"; add catalog_us "$a"
  read -r r a <<<"$(wrk_run "http://127.0.0.1:$GATEWAY/api/products/1" shop.requestflow.test)"; add gateway_rps "$r"; add gateway_us "$a"
  read -r r a <<<"$(wrk_run "http://127.0.0.1:$EDGE/api/products/1" shop.requestflow.test)"; add edge_rps "$r"; add edge_us "$a"
  if (( HAVE_VARNISH )); then
    read -r r a <<<"$(wrk_run "http://127.0.0.1:$VARNISH/api/products/1" shop.requestflow.test)"; add varnish_rps "$r"; add varnish_us "$a"
  fi
  if (( HAVE_KNOT )); then
    add knot_qps "$(dnsperf_run "$KNOT" || echo 0)"
    add ours_qps "$(dnsperf_run "$DNSPORT" || echo 0)"
  fi
done

python3 - "$ROUNDS" "$HAVE_VARNISH" "$HAVE_KNOT" <<PY
import sys
n = float(sys.argv[1]); varnish = sys.argv[2] == "1"; knot = sys.argv[3] == "1"
s = {k: float(v) / n for k, v in dict(
    origin_rps="${SUM[origin_rps]:-0}", origin_us="${SUM[origin_us]:-0}",
    nginx_rps="${SUM[nginx_rps]:-0}", nginx_us="${SUM[nginx_us]:-0}",
    haproxy_rps="${SUM[haproxy_rps]:-0}", haproxy_us="${SUM[haproxy_us]:-0}",
    catalog_rps="${SUM[catalog_rps]:-0}", catalog_us="${SUM[catalog_us]:-0}",
    gateway_rps="${SUM[gateway_rps]:-0}", gateway_us="${SUM[gateway_us]:-0}",
    edge_rps="${SUM[edge_rps]:-0}", edge_us="${SUM[edge_us]:-0}",
    varnish_rps="${SUM[varnish_rps]:-0}", varnish_us="${SUM[varnish_us]:-0}",
    knot_qps="${SUM[knot_qps]:-0}", ours_qps="${SUM[ours_qps]:-0}").items()}
def row(name, ref, ours, unit, lower_better):
    ratio = (ours / ref) if ref else float('nan')
    print(f"  {name:<44} ref {ref:>10.0f} {unit:<6} ours {ours:>10.0f} {unit:<6} ours/ref {ratio:6.2f}"
          + ("  (lower is better)" if lower_better else ""))
print("  (averages over the rounds)")
row("origin: nginx static vs catalog (req/s)", s["origin_rps"], s["catalog_rps"], "req/s", False)
# a hop's cost per request at saturation: 1/throughput through it minus 1/throughput without it
def per_req(rps): return 1e6 / rps if rps else float('nan')
ours_hop = per_req(s["gateway_rps"]) - per_req(s["catalog_rps"])
row("one proxy hop, added us per request: nginx", per_req(s["nginx_rps"]) - per_req(s["origin_rps"]), ours_hop, "us", True)
row("one proxy hop, added us per request: HAProxy", per_req(s["haproxy_rps"]) - per_req(s["origin_rps"]), ours_hop, "us", True)
row("proxy throughput: nginx vs gateway (req/s)", s["nginx_rps"], s["gateway_rps"], "req/s", False)
row("proxy throughput: HAProxy vs gateway (req/s)", s["haproxy_rps"], s["gateway_rps"], "req/s", False)
if varnish:
    row("cache hit: Varnish vs edge (req/s)", s["varnish_rps"], s["edge_rps"], "req/s", False)
else:
    print("  cache hit: Varnish not available (not installed or did not start); edge path", f"{s['edge_rps']:.0f} req/s")
if knot:
    row("authoritative DNS: Knot vs dns hop (qps)", s["knot_qps"], s["ours_qps"], "qps", False)
else:
    print("  authoritative DNS: knot/dnsperf not available")
print(f"  raw: {s}")
PY
