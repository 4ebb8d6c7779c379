#!/usr/bin/env bash
# The balancer as a single proxy hop next to Debian's HAProxy, in front of the same nginx origin
# serving a 1 KB file, keep-alive on both sides, measured interleaved in one run with wrk.
#
#   bench/balancer-vs-haproxy.sh                 # 3 rounds of 10 s each, 64 connections
#   ROUNDS=5 DURATION=15s CONNECTIONS=128 PORT_BASE=30000 bench/balancer-vs-haproxy.sh
#   SAMPLE_RATIO=0 bench/balancer-vs-haproxy.sh  # the balancer with tracing.sampleRatio 0 (default: 1)
#   WARMUP_RUNS=12 bench/balancer-vs-haproxy.sh  # a longer warm-up (default 6 wrk runs of WARMUP_SECONDS=5)
#   LEGS=1 bench/balancer-vs-haproxy.sh          # also where each request's time goes, per proxy (needs perf
#                                                # with tracepoints): 1 s of syscalls in the middle of each run,
#                                                # read by bench/ProxyLegs.java; that second costs both some speed
#
# Ports (PORT_BASE + …): origin +0 (its /readyz on +1000), balancer +200 (admin +1200), haproxy +201.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
BASE="${PORT_BASE:-30000}"
SAMPLE_RATIO="${SAMPLE_RATIO:-}"
LEGS="${LEGS:-}"
ORIGIN=$((BASE)); ORIGIN_ADMIN=$((BASE + 1000)); LB=$((BASE + 200)); LB_ADMIN=$((BASE + 1200)); HAP=$((BASE + 201))

need() { command -v "$1" >/dev/null 2>&1 || command -v "/usr/sbin/$1" >/dev/null 2>&1; }
if ! need wrk || ! need haproxy || ! need nginx; then
  echo "installing wrk, haproxy and nginx with apt-get…"
  apt-get update -qq && apt-get install -y -qq wrk haproxy nginx-light >/dev/null
fi
export PATH="$PATH:/usr/sbin"

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# the origin (nginx, 1 KB) and HAProxy in front of it, as bench/balancer-before-after.sh has them
source "$ROOT/bench/balancer-origin.sh"
start_origin_and_haproxy

# build first (a clean checkout has no jar yet), so the wait below only waits for the start
echo "building the balancer when needed…"
"$ROOT/flow" --help >/dev/null
BALANCER_CONFIG=()
if [[ -n "$SAMPLE_RATIO" ]]; then
  printf 'tracing:\n  sampleRatio: %s\n' "$SAMPLE_RATIO" > "$WORK/balancer.yaml"
  BALANCER_CONFIG=(--config "$WORK/balancer.yaml")
fi
"$ROOT/flow" serve "${BALANCER_CONFIG[@]}" --role balancer --listen "127.0.0.1:$LB" --admin "127.0.0.1:$LB_ADMIN" \
  --upstream "http://127.0.0.1:$ORIGIN" >"$WORK/logs/balancer.log" 2>&1 & PIDS+=($!)

wait_for() { # url
  for _ in $(seq 1 300); do curl -fs -o /dev/null "$1" && return 0; sleep 0.2; done
  echo "timed out waiting for $1" >&2; cat "$WORK/logs/"*.log >&2; exit 1
}
wait_for "http://127.0.0.1:$ORIGIN/1k.txt"
wait_for "http://127.0.0.1:$HAP/1k.txt"
wait_for "http://127.0.0.1:$LB_ADMIN/readyz"
wait_for "http://127.0.0.1:$LB/1k.txt"
LB_PID=$(ss -ltnp | grep "127.0.0.1\]*:$LB " | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
TICK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
user_ticks() { awk '{print $14}' "/proc/$1/stat"; }  # the rest of the CPU time is the kernel's, on our behalf

# instructions retired per request (perf stat, when the kernel lets us count): unlike CPU time, hardly
# moved by what else the machine runs, so it compares the two proxies on a busy machine too
PERF=""
if command -v perf >/dev/null 2>&1 && perf stat -e instructions:u -- true >/dev/null 2>&1; then PERF=perf; fi

# ProxyLegs.java runs as a source file on a JDK 21+: JAVA_HOME's, else the newest installed
jdk21() { "$1/bin/java" -version 2>&1 | grep -q 'version "\(2[1-9]\|[3-9][0-9]\)'; }
LEGS_JAVA="${JAVA_HOME:-}"
if [[ -n "$LEGS" ]] && ! { [[ -n "$LEGS_JAVA" ]] && jdk21 "$LEGS_JAVA"; }; then
  for d in /usr/lib/jvm/*; do if jdk21 "$d"; then LEGS_JAVA="$d"; fi; done
fi
seconds() { case "$1" in *m) echo $(( ${1%m} * 60 ));; *s) echo "${1%s}";; *) echo "$1";; esac; }  # wrk's 10s, 1m
TRACEPOINTS=syscalls:sys_enter_recvfrom,syscalls:sys_exit_recvfrom,syscalls:sys_enter_sendto,sched:sched_switch
if [[ -n "$LEGS" ]] && ! perf record -q -e "$TRACEPOINTS" -o "$WORK/probe.data" -- true >/dev/null 2>&1; then
  echo "LEGS=1 needs perf with tracepoints (apt-get install linux-perf; run as root)" >&2; exit 1
fi

run() { # name url pid -> "rps p99ms cpu-us-per-request instructions-per-request user-cpu-us-per-request p50/p90ms"
  local before after perf_pid="" legs_pid=""
  before=$(cpu_ticks "$3"); before_user=$(user_ticks "$3")
  if [[ -n "$PERF" ]]; then
    perf stat -x, -e instructions:u,instructions:k -p "$3" -o "$WORK/$1.perf" -- sleep "$DURATION" & perf_pid=$!
  fi
  if [[ -n "$LEGS" ]]; then # one second of the proxy's reads, sends and context switches, in the middle of the run
    (sleep "$(( $(seconds "$DURATION") / 2 ))"; perf record -q -e "$TRACEPOINTS" -p "$3" -o "$WORK/$1.legs" -- sleep 1 \
      >/dev/null 2>&1) & legs_pid=$!
  fi
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$2" > "$WORK/$1.out"
  after=$(cpu_ticks "$3"); after_user=$(user_ticks "$3")
  local instructions=0
  if [[ -n "$legs_pid" ]]; then
    wait "$legs_pid" || true
    perf script -i "$WORK/$1.legs" 2>/dev/null > "$WORK/$1.legs.txt" || true
    { echo "  $1, round $r:"; "${LEGS_JAVA%/}/bin/java" "$ROOT/bench/ProxyLegs.java" < "$WORK/$1.legs.txt"; } >> "$WORK/legs.out"
  fi
  if [[ -n "$perf_pid" ]]; then
    wait "$perf_pid" || true
    instructions=$(awk -F, '/instructions/ {s += $1} END {print s + 0}' "$WORK/$1.perf")
  fi
  awk -v ticks=$((after - before)) -v uticks=$((after_user - before_user)) -v hz="$TICK" -v ins="$instructions" '
    /Requests\/sec:/ {rps=$2}
    function ms(x, u) {u=x; gsub(/[0-9.]/,"",u); gsub(/[a-z]/,"",x); return u=="us" ? x/1000 : u=="s" ? x*1000 : x}
    /^ +50%/ {p50=ms($2)} /^ +90%/ {p90=ms($2)} /^ +99%/ {p99=ms($2)}
    /Non-2xx|Socket errors/ {err=err" "$0}
    /requests in/ {n=$1}
    END {printf "%.0f %.3f %.1f %.0f %.1f %.2f/%.2f%s\n", rps, p99, ticks / hz * 1e6 / n, ins / n, uticks / hz * 1e6 / n,
         p50, p90, (err==""?"":" ERRORS:"err)}' "$WORK/$1.out"
}

echo "warming up both (JIT, pools)…"
warm_up_balancer "$LB"  # the JIT needs a while, and to see connections close (balancer-origin.sh)
wrk -t"$THREADS" -c"$CONNECTIONS" -d3s "http://127.0.0.1:$HAP/1k.txt" >/dev/null

echo "balancer tracing.sampleRatio: ${SAMPLE_RATIO:-1 (default)}"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); wrk -t$THREADS -c$CONNECTIONS -d$DURATION, 1 KB, keep-alive"
printf "%-6s %-10s %12s %10s %16s %12s %18s %12s\n" round proxy "req/s" "p99 ms" "CPU µs/request" "of it user" "instructions/req" "p50/p90 ms"
sum_h=0; sum_b=0; p99s_h=(); p99s_b=(); cpu_h=(); cpu_b=(); ins_h=(); ins_b=()
for r in $(seq 1 "$ROUNDS"); do
  read -r h_rps h_p99 h_cpu h_ins h_usr h_spread h_err <<<"$(run haproxy "http://127.0.0.1:$HAP/1k.txt" "$HAP_PID")"
  printf "%-6s %-10s %12s %10s %16s %12s %18s %12s %s\n" "$r" haproxy "$h_rps" "$h_p99" "$h_cpu" "$h_usr" "$h_ins" "$h_spread" "${h_err:-}"
  read -r b_rps b_p99 b_cpu b_ins b_usr b_spread b_err <<<"$(run balancer "http://127.0.0.1:$LB/1k.txt" "$LB_PID")"
  printf "%-6s %-10s %12s %10s %16s %12s %18s %12s %s\n" "$r" balancer "$b_rps" "$b_p99" "$b_cpu" "$b_usr" "$b_ins" "$b_spread" "${b_err:-}"
  sum_h=$((sum_h + h_rps)); sum_b=$((sum_b + b_rps)); p99s_h+=("$h_p99"); p99s_b+=("$b_p99")
  cpu_h+=("$h_cpu"); cpu_b+=("$b_cpu"); ins_h+=("$h_ins"); ins_b+=("$b_ins")
done
median() { printf "%s\n" "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mh=$(median "${p99s_h[@]}"); mb=$(median "${p99s_b[@]}"); ch=$(median "${cpu_h[@]}"); cb=$(median "${cpu_b[@]}")
ih=$(median "${ins_h[@]}"); ib=$(median "${ins_b[@]}")
awk -v h="$sum_h" -v b="$sum_b" -v n="$ROUNDS" -v ph="$mh" -v pb="$mb" -v ch="$ch" -v cb="$cb" -v ih="$ih" -v ib="$ib" 'BEGIN {
  printf "\nmean throughput: haproxy %.0f req/s, balancer %.0f req/s, ratio balancer/haproxy %.2f\n", h/n, b/n, b/h;
  printf "median p99:      haproxy %.2f ms, balancer %.2f ms, ratio balancer/haproxy %.2f\n", ph, pb, pb/ph;
  printf "median CPU:      haproxy %.1f µs/request, balancer %.1f µs/request, ratio balancer/haproxy %.2f\n", ch, cb, cb/ch;
  if (ih > 0) printf "median instructions (user + kernel): haproxy %.0f/request, balancer %.0f/request, ratio balancer/haproxy %.2f\n", ih, ib, ib/ih }'
if [[ -n "$LEGS" ]]; then
  echo; echo "where the time goes (ms; 1 s traced in the middle of each run, see bench/ProxyLegs.java):"; cat "$WORK/legs.out"
fi
