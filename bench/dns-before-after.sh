#!/usr/bin/env bash
# The dns hop at another commit ("before", default main) against this checkout ("after"): same zone, same
# dnsperf command as bench/dns-vs-knot.sh, interleaved rounds (before, after, before, ...), so a change to the
# hop is measured against its own past in the same run.
#   bench/dns-before-after.sh [REF]     # REF: a commit or branch (default main); builds it in a temp dir
# Env: BEFORE_PORT (30365), AFTER_PORT (30363), ADMIN_BASE (31365: before's admin; after's is +1), ROUNDS (5),
#      SECONDS_PER_RUN (6), CLIENTS (16), OUTSTANDING (200), P99_RATE (50000), P99_ROUNDS (3).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REF="${1:-main}"
BEFORE_PORT="${BEFORE_PORT:-30365}"
AFTER_PORT="${AFTER_PORT:-30363}"
ADMIN_BASE="${ADMIN_BASE:-31365}"
ROUNDS="${ROUNDS:-5}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-6}"
CLIENTS="${CLIENTS:-16}"
OUTSTANDING="${OUTSTANDING:-200}"
P99_RATE="${P99_RATE:-50000}"
P99_ROUNDS="${P99_ROUNDS:-3}"

for tool in dnsperf dig; do
  command -v "$tool" >/dev/null || { echo "bench: needs $tool (apt-get install dnsperf bind9-dnsutils)" >&2; exit 1; }
done

WORK="$(mktemp -d /tmp/rf-dns-ab.XXXXXX)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "bench: building $REF in $WORK/before (package only, nothing installed)" >&2
mkdir -p "$WORK/before"
git -C "$ROOT" archive "$REF" | tar -x -C "$WORK/before"
"$WORK/before/flow" build >"$WORK/before-build.log" 2>&1 || { tail -n 30 "$WORK/before-build.log" >&2; exit 1; }

zone() { # port admin -> a topology file serving the benchmark's zone
  cat <<EOF
dns:
  host: 127.0.0.1
  port: $1
  zone: requestflow.test
  ttlSeconds: 30
  negativeTtlSeconds: 30
  records:
    shop: [127.0.0.1]
  rateLimit: {responsesPerSecond: 0}
dnsAdminPort: $2
EOF
}
zone "$BEFORE_PORT" "$ADMIN_BASE" >"$WORK/before.yaml"
zone "$AFTER_PORT" "$((ADMIN_BASE + 1))" >"$WORK/after.yaml"
: >"$WORK/queries"
for _ in $(seq 1 7); do echo "shop.requestflow.test A" >>"$WORK/queries"; done
printf 'requestflow.test SOA\nrequestflow.test NS\nns1.requestflow.test A\n' >>"$WORK/queries"

"$WORK/before/flow" serve --role dns --config "$WORK/before.yaml" --listen "127.0.0.1:$BEFORE_PORT" \
    --admin "127.0.0.1:$ADMIN_BASE" >"$WORK/before.log" 2>&1 &
PIDS+=($!)
"$ROOT/flow" serve --role dns --config "$WORK/after.yaml" --listen "127.0.0.1:$AFTER_PORT" \
    --admin "127.0.0.1:$((ADMIN_BASE + 1))" >"$WORK/after.log" 2>&1 &
PIDS+=($!)
for port in "$BEFORE_PORT" "$AFTER_PORT"; do
  for _ in $(seq 1 120); do
    if dig +short +time=1 +tries=1 -p "$port" @127.0.0.1 shop.requestflow.test A 2>/dev/null | grep -q 127.0.0.1; then
      continue 2
    fi
    sleep 0.5
  done
  echo "bench: nothing answers on port $port" >&2; cat "$WORK"/*.log >&2; exit 1
done

qps() { # port -> queries per second at full throttle
  dnsperf -s 127.0.0.1 -p "$1" -d "$WORK/queries" -l "$SECONDS_PER_RUN" -c "$CLIENTS" -T 2 -q "$OUTSTANDING" \
      2>/dev/null | awk '/Queries per second:/ {print $4}'
}
p99_at() { # port rate -> p99 latency in ms
  dnsperf -s 127.0.0.1 -p "$1" -d "$WORK/queries" -l 5 -c "$CLIENTS" -T 2 -Q "$2" -v 2>/dev/null \
      | awk '$1 == ">" {print $NF}' | sort -g \
      | awk '{v[NR] = $1} END {if (NR == 0) {print "n/a"; exit} i = int(NR * 0.99); if (i < 1) i = 1; printf "%.3f", v[i] * 1000}'
}
median() {
  printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

for port in "$BEFORE_PORT" "$AFTER_PORT"; do # warm-up: both JITs compile the hot path first
  dnsperf -s 127.0.0.1 -p "$port" -d "$WORK/queries" -l 5 -c "$CLIENTS" -q "$OUTSTANDING" >/dev/null 2>&1 || true
done
ratios=()
for round in $(seq 1 "$ROUNDS"); do
  b=$(qps "$BEFORE_PORT"); a=$(qps "$AFTER_PORT")
  r=$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2f", a / b}')
  printf 'round %d: before (%s) %10.0f qps   after %10.0f qps   ratio %s\n' "$round" "$REF" "$b" "$a" "$r"
  ratios+=("$r")
done
before_p99=(); after_p99=()
for round in $(seq 1 "$P99_ROUNDS"); do
  bp=$(p99_at "$BEFORE_PORT" "$P99_RATE"); ap=$(p99_at "$AFTER_PORT" "$P99_RATE")
  printf 'p99 round %d at %d qps: before %s ms   after %s ms\n' "$round" "$P99_RATE" "$bp" "$ap"
  before_p99+=("$bp"); after_p99+=("$ap")
done
echo "ratio (after / before, median of rounds): $(median "${ratios[@]}")"
echo "p99 at $P99_RATE qps (median): before $(median "${before_p99[@]}") ms, after $(median "${after_p99[@]}") ms"
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg)"
