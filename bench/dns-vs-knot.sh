#!/usr/bin/env bash
# The dns hop against Knot DNS (Debian's knot) serving the same zone, measured with dnsperf in the same run,
# interleaved (knot, ours, knot, ours, ...) so both see the same machine load.
#   bench/dns-vs-knot.sh            # installs dnsperf, knot and dig with apt-get when they are missing
# Env: DNS_PORT (ours, default 30363), KNOT_PORT (default 30364), ADMIN_PORT (31363), SECONDS_PER_RUN (6),
#      ROUNDS (5), CLIENTS (16: many source ports, so SO_REUSEPORT spreads them over every socket of both servers),
#      OUTSTANDING (200), P99_ROUNDS (3), P99_SECONDS (5), P99_QPS (the rate for the p99 rounds; default half of
#      Knot's median QPS, the goal's load: set it when Knot's own figure collapsed on a busy machine).
# Prints each round's QPS for both and the ratio, then p99 latency for both at half of Knot's median QPS
# (P99_ROUNDS interleaved rounds, median reported).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DNS_PORT="${DNS_PORT:-30363}"
KNOT_PORT="${KNOT_PORT:-30364}"
ADMIN_PORT="${ADMIN_PORT:-31363}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-6}"
ROUNDS="${ROUNDS:-5}"
CLIENTS="${CLIENTS:-16}"
OUTSTANDING="${OUTSTANDING:-200}"
P99_ROUNDS="${P99_ROUNDS:-3}"
P99_SECONDS="${P99_SECONDS:-5}"

# knotd lives in /usr/sbin, which a non-login shell may not have on its PATH
export PATH="$PATH:/usr/sbin:/sbin"
missing=()
command -v dnsperf >/dev/null || missing+=(dnsperf)
command -v knotd >/dev/null || missing+=(knot)
command -v dig >/dev/null || missing+=(bind9-dnsutils)
if (( ${#missing[@]} > 0 )); then
  echo "bench: installing ${missing[*]} (apt-get)" >&2
  SUDO=""; if (( EUID != 0 )); then SUDO="sudo"; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
for tool in dnsperf knotd dig; do
  command -v "$tool" >/dev/null || { echo "bench: needs $tool (apt-get install dnsperf knot bind9-dnsutils)" >&2; exit 1; }
done

WORK="$(mktemp -d /tmp/rf-dns-bench.XXXXXX)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- the same zone for both: SOA, NS ns1, ns1 A, shop A (what `./flow up` serves by default) ---
cat >"$WORK/topology.yaml" <<EOF
dns:
  host: 127.0.0.1
  port: $DNS_PORT
  zone: requestflow.test
  ttlSeconds: 30
  negativeTtlSeconds: 30
  records:
    shop: [127.0.0.1]
  rateLimit: {responsesPerSecond: 0}   # one benchmark client would otherwise be rate limited, like knot's rrl
dnsAdminPort: $ADMIN_PORT
EOF
cat >"$WORK/requestflow.test.zone" <<'EOF'
$ORIGIN requestflow.test.
$TTL 30
@     IN SOA ns1 hostmaster 1 3600 600 604800 30
@     IN NS  ns1
ns1   IN A   127.0.0.1
shop  IN A   127.0.0.1
EOF
mkdir -p "$WORK/knot-db"
cat >"$WORK/knot.conf" <<EOF
server:
    listen: 127.0.0.1@$KNOT_PORT
    rundir: "$WORK"
database:
    storage: "$WORK/knot-db"
log:
  - target: stderr
    any: warning
zone:
  - domain: requestflow.test
    storage: "$WORK"
    file: requestflow.test.zone
EOF
# The query mix: mostly the edge's name, some apex and name-server lookups (all answers exist).
: >"$WORK/queries"
for _ in $(seq 1 7); do echo "shop.requestflow.test A" >>"$WORK/queries"; done
echo "requestflow.test SOA" >>"$WORK/queries"
echo "requestflow.test NS" >>"$WORK/queries"
echo "ns1.requestflow.test A" >>"$WORK/queries"

knotd -c "$WORK/knot.conf" >"$WORK/knot.log" 2>&1 &
PIDS+=($!)
"$ROOT/flow" serve --role dns --config "$WORK/topology.yaml" --listen "127.0.0.1:$DNS_PORT" \
    --admin "127.0.0.1:$ADMIN_PORT" >"$WORK/dns.log" 2>&1 &
PIDS+=($!)

wait_for() { # port name
  for _ in $(seq 1 120); do
    if dig +short +time=1 +tries=1 -p "$1" @127.0.0.1 shop.requestflow.test A 2>/dev/null | grep -q 127.0.0.1; then return; fi
    sleep 0.5
  done
  echo "bench: $2 did not answer on port $1" >&2; cat "$WORK/$2.log" >&2; exit 1
}
wait_for "$KNOT_PORT" knot
wait_for "$DNS_PORT" dns

qps() { # port -> queries per second at full throttle
  dnsperf -s 127.0.0.1 -p "$1" -d "$WORK/queries" -l "$SECONDS_PER_RUN" -c "$CLIENTS" -T 2 -q "$OUTSTANDING" \
      2>/dev/null | awk '/Queries per second:/ {print $4}'
}
p99_at() { # port rate -> p99 latency in ms (dnsperf -v prints each response's latency)
  dnsperf -s 127.0.0.1 -p "$1" -d "$WORK/queries" -l "$P99_SECONDS" -c "$CLIENTS" -T 2 -Q "$2" -v 2>/dev/null \
      | awk '$1 == ">" {print $NF}' | sort -g \
      | awk '{v[NR] = $1} END {if (NR == 0) {print "n/a"; exit} i = int(NR * 0.99); if (i < 1) i = 1; printf "%.3f", v[i] * 1000}'
}
median() { # numbers as arguments -> their median
  printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# warm-up: the JIT compiles the hot path before anything is measured
dnsperf -s 127.0.0.1 -p "$DNS_PORT" -d "$WORK/queries" -l 5 -c "$CLIENTS" -q "$OUTSTANDING" >/dev/null 2>&1 || true

knot_all=(); ours_all=(); ratios=()
for round in $(seq 1 "$ROUNDS"); do
  k=$(qps "$KNOT_PORT"); o=$(qps "$DNS_PORT")
  r=$(awk -v o="$o" -v k="$k" 'BEGIN {printf "%.2f", o / k}')
  printf 'round %d: knot %10.0f qps   dns hop %10.0f qps   ratio %s\n' "$round" "$k" "$o" "$r"
  knot_all+=("$k"); ours_all+=("$o"); ratios+=("$r")
done
# medians: on a shared machine one round can collapse when something else takes the CPUs; each round's pair
# ran back to back, so the median of the per-round ratios compares like with like
knot_qps=$(printf '%.0f' "$(median "${knot_all[@]}")")
ours_qps=$(printf '%.0f' "$(median "${ours_all[@]}")")
ratio=$(median "${ratios[@]}")
half="${P99_QPS:-$(( knot_qps / 2 ))}"
knot_p99s=(); ours_p99s=()
for round in $(seq 1 "$P99_ROUNDS"); do
  kp=$(p99_at "$KNOT_PORT" "$half"); op=$(p99_at "$DNS_PORT" "$half")
  printf 'p99 round %d at %d qps: knot %s ms   dns hop %s ms\n' "$round" "$half" "$kp" "$op"
  knot_p99s+=("$kp"); ours_p99s+=("$op")
done
knot_p99=$(median "${knot_p99s[@]}")
ours_p99=$(median "${ours_p99s[@]}")

echo
echo "| server | QPS (median of $ROUNDS) | p99 at $half qps (median of $P99_ROUNDS) |"
echo "|---|---|---|"
echo "| knot $(knotd --version | awk '{print $NF}') | $knot_qps | ${knot_p99} ms |"
echo "| dns hop | $ours_qps | ${ours_p99} ms |"
echo "ratio (dns hop / knot, median of rounds): $ratio   goal: >= 0.70, p99 < 1 ms at half knot's QPS"
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg)"
