#!/usr/bin/env bash
# The balancer at another commit ("before", default main) against this checkout ("after"), next to HAProxy, all
# three in front of one nginx serving 1 KB, with the settings of bench/balancer-vs-haproxy.sh (same nginx and
# HAProxy config, wrk -t2 -c64, keep-alive), taking turns in one loop (order reversed every round), so a
# change to the balancer is measured against its own past and the reference in the same run.
#   bench/balancer-before-after.sh [REF]   # REF: a commit or branch (default main); built in a temp dir
# Env: ROUNDS (10), DURATION (10s), PORT_BASE (30000): origin +0 (readyz +1000), HAProxy +201,
#      before +202 (admin +1202), after +200 (admin +1200); AFTER_CONFIG, BEFORE_CONFIG: a topology file for
#      that balancer (e.g. to compare one build with and without a setting: REF HEAD and AFTER_CONFIG);
#      AFTER_JAVA_OPTS, BEFORE_JAVA_OPTS: that balancer's REQUESTFLOW_JAVA_OPTS (default: the caller's);
#      WARMUP_RUNS (6), WARMUP_SECONDS (5): each balancer's warm-up (bench/balancer-origin.sh).
# Per round and proxy: req/s, wrk's p50/p90/p99, CPU µs per request (/proc/PID/stat, user + system), its user part
# on its own and the C2 compiler threads' CPU ms in that run; then means (throughput) and medians (the rest) with
# ratios.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REF="${1:-main}"
ROUNDS="${ROUNDS:-10}"
DURATION="${DURATION:-10s}"
BASE="${PORT_BASE:-30000}"
ORIGIN=$BASE; ORIGIN_ADMIN=$((BASE + 1000)); HAP=$((BASE + 201))
AFTER=$((BASE + 200)); BEFORE=$((BASE + 202))
export PATH="$PATH:/usr/sbin"
for tool in wrk haproxy nginx; do
  command -v "$tool" >/dev/null || { echo "bench: needs $tool (apt-get install wrk haproxy nginx-light)" >&2; exit 1; }
done

WORK="$(mktemp -d /tmp/rf-balancer-ab.XXXXXX)"
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
"$ROOT/flow" --help >/dev/null # builds this checkout when needed

# the origin (nginx, 1 KB) and HAProxy in front of it, as bench/balancer-vs-haproxy.sh has them
source "$ROOT/bench/balancer-origin.sh"
start_origin_and_haproxy
# ./flow execs the JVM, so the PID started here is the balancer's
REQUESTFLOW_JAVA_OPTS="${BEFORE_JAVA_OPTS-${REQUESTFLOW_JAVA_OPTS:-}}" "$WORK/before/flow" serve ${BEFORE_CONFIG:+--config "$BEFORE_CONFIG"} --role balancer --listen "127.0.0.1:$BEFORE" --admin "127.0.0.1:$((BEFORE + 1000))" \
  --upstream "http://127.0.0.1:$ORIGIN" >"$WORK/logs/before.log" 2>&1 & PIDS+=($!)
BEFORE_PID=$!
REQUESTFLOW_JAVA_OPTS="${AFTER_JAVA_OPTS-${REQUESTFLOW_JAVA_OPTS:-}}" "$ROOT/flow" serve ${AFTER_CONFIG:+--config "$AFTER_CONFIG"} --role balancer --listen "127.0.0.1:$AFTER" --admin "127.0.0.1:$((AFTER + 1000))" \
  --upstream "http://127.0.0.1:$ORIGIN" >"$WORK/logs/after.log" 2>&1 & PIDS+=($!)
AFTER_PID=$!

wait_for() { # url
  for _ in $(seq 1 300); do curl -fs -o /dev/null "$1" && return 0; sleep 0.2; done
  echo "timed out waiting for $1" >&2; cat "$WORK/logs/"*.log >&2; exit 1
}
for port in "$HAP" "$BEFORE" "$AFTER"; do wait_for "http://127.0.0.1:$port/1k.txt"; done

echo "warming up (JIT, pools)…"
warm_up_balancer "$BEFORE"
warm_up_balancer "$AFTER"
wrk -t2 -c64 -d3s "http://127.0.0.1:$HAP/1k.txt" >/dev/null

HZ=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
user_ticks() { awk '{print $14}' "/proc/$1/stat"; }
c2_ticks() { # the JIT's C2 compiler threads (none in HAProxy)
  local sum=0 task
  for task in /proc/"$1"/task/*; do
    if grep -q "^C2 Compi" "$task/comm" 2>/dev/null; then sum=$((sum + $(awk '{print $14 + $15}' "$task/stat"))); fi
  done
  echo "$sum"
}
run() { # name port pid -> one result line
  local c0 p0 u0 c1 p1 u1
  c0=$(c2_ticks "$3"); p0=$(cpu_ticks "$3"); u0=$(user_ticks "$3")
  wrk -t2 -c64 -d"$DURATION" --latency "http://127.0.0.1:$2/1k.txt" > "$WORK/$1.out"
  c1=$(c2_ticks "$3"); p1=$(cpu_ticks "$3"); u1=$(user_ticks "$3")
  awk -v name="$1" -v r="$r" -v c2=$(((c1 - c0) * 1000 / HZ)) -v cpu=$((p1 - p0)) -v user=$((u1 - u0)) -v hz="$HZ" \
      -v load="$(cut -d' ' -f1 /proc/loadavg)" '
    function ms(x, u) {u=x; gsub(/[0-9.]/,"",u); gsub(/[a-z]/,"",x); return u=="us" ? x/1000 : u=="s" ? x*1000 : x}
    /^ +50%/ {p50=ms($2)} /^ +90%/ {p90=ms($2)} /^ +99%/ {p99=ms($2)} /requests in/ {n=$1} /Requests\/sec/ {rps=$2}
    /Non-2xx|Socket errors/ {err=err" "$0}
    END {printf "%-6s %-9s %9.0f %8.2f %8.2f %8.2f %10.1f %9.1f %7d %6s%s\n", r, name, rps, p50, p90, p99, cpu/hz*1e6/n,
         user/hz*1e6/n, c2, load, (err=="" ? "" : " ERRORS:" err)}' "$WORK/$1.out"
}

echo "before: $REF ($(git -C "$ROOT" rev-parse --short "$REF"))${BEFORE_CONFIG:+ with $BEFORE_CONFIG}, after: this checkout${AFTER_CONFIG:+ with $AFTER_CONFIG}; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-6s %-9s %9s %8s %8s %8s %10s %9s %7s %6s\n" round proxy "req/s" "p50 ms" "p90 ms" "p99 ms" "CPU µs/req" "user µs" "C2 ms" load
for r in $(seq 1 "$ROUNDS"); do
  order=("haproxy $HAP $HAP_PID" "before $BEFORE $BEFORE_PID" "after $AFTER $AFTER_PID")
  if (( r % 2 == 0 )); then order=("${order[2]}" "${order[1]}" "${order[0]}"); fi
  for o in "${order[@]}"; do
    # shellcheck disable=SC2086
    run $o | tee -a "$WORK/rows"
  done
done
awk '
  function median(a, n,   i, j, t) {for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) {t = a[j]; a[j] = a[j-1]; a[j-1] = t}
                                    return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2}
  {k = $2; n[k]++; rps[k] += $3; p50[k, n[k]] = $4; p90[k, n[k]] = $5; p99[k, n[k]] = $6; cpu[k, n[k]] = $7; usr[k, n[k]] = $8}
  END {
    split("haproxy before after", names, " ")
    for (i = 1; i <= 3; i++) {
      k = names[i]
      for (m = 1; m <= n[k]; m++) {a50[m] = p50[k, m]; a90[m] = p90[k, m]; a99[m] = p99[k, m]; acpu[m] = cpu[k, m]; ausr[m] = usr[k, m]}
      t[k] = rps[k] / n[k]; q50[k] = median(a50, n[k]); q90[k] = median(a90, n[k]); q99[k] = median(a99, n[k]); c[k] = median(acpu, n[k])
      u[k] = median(ausr, n[k])
      printf "\n%-8s mean %.0f req/s; median p50 %.2f, p90 %.2f, p99 %.2f ms; median CPU %.1f µs/request (user %.1f)", k, t[k], q50[k], q90[k], q99[k], c[k], u[k]
    }
    # after / before within each round, so a round that was slow for both counts once
    for (m = 1; m <= n["after"] && m <= n["before"]; m++) {rc[m] = cpu["after", m] / cpu["before", m]; ru[m] = usr["after", m] / usr["before", m]}
    m = (n["after"] < n["before"] ? n["after"] : n["before"])
    printf "\n\nratios (throughput, p50, p90, p99, CPU per request, its user part):\n"
    printf "after / before   %.2f  %.2f  %.2f  %.2f  %.3f  %.3f\n", t["after"]/t["before"], q50["after"]/q50["before"], q90["after"]/q90["before"], q99["after"]/q99["before"], c["after"]/c["before"], u["after"]/u["before"]
    printf "after / haproxy  %.2f  %.2f  %.2f  %.2f  %.3f  %.3f\n", t["after"]/t["haproxy"], q50["after"]/q50["haproxy"], q90["after"]/q90["haproxy"], q99["after"]/q99["haproxy"], c["after"]/c["haproxy"], u["after"]/u["haproxy"]
    printf "before / haproxy %.2f  %.2f  %.2f  %.2f  %.3f  %.3f\n", t["before"]/t["haproxy"], q50["before"]/q50["haproxy"], q90["before"]/q90["haproxy"], q99["before"]/q99["haproxy"], c["before"]/c["haproxy"], u["before"]/u["haproxy"]
    printf "after / before, median of the ratios within rounds: CPU per request %.3f, user %.3f\n", median(rc, m), median(ru, m)
  }' "$WORK/rows"
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
