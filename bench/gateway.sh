#!/usr/bin/env bash
# Gateway hop benchmark: JWT + deny list + throttling on, against the same hop with all of it off, in one
# run, interleaved (hops/src/test/java/io/requestflow/gateway/GatewayBenchmark.java). Starts its own
# backend, Redis and gateways on ephemeral loopback ports; needs wrk (Debian package) and a JDK 21+.
# Usage: bench/gateway.sh [ROUNDS] [SECONDS] [CONNECTIONS] [VARIANT]
#   VARIANT: all (the defaults: leased throttling), all-exact, all-sync20, jwt, throttle
# Prints requests/s, and per request this JVM's CPU time and allocation; BENCH_JAVA_OPTS=-Dbench.perf=true adds
# instructions per request (user and kernel mode, Linux perf), the figure least moved by other load.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
if [[ -z "${JAVA_HOME:-}" ]]; then
  for dir in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*-25-* /usr/lib/jvm/*-21-*; do
    if [[ -x "$dir/bin/javac" ]]; then export JAVA_HOME="$dir"; break; fi
  done
fi
command -v wrk >/dev/null || { echo "bench/gateway.sh: needs wrk (apt-get install wrk)" >&2; exit 1; }
CP_FILE="$ROOT/hops/target/gateway-bench.classpath"
# one reactor run: compiles what hops needs and writes its test classpath (sibling modules as target dirs,
# nothing installed into ~/.m2); hops is built last, so the file ends up holding its classpath
./mvnw -q -B -pl hops -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test >/dev/null
# BENCH_JAVA_OPTS: extra JVM options, e.g. a flight recording: -XX:StartFlightRecording=filename=/tmp/gw.jfr -Dbench.windows=true
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED ${BENCH_JAVA_OPTS:-} \
  -cp "hops/target/test-classes:hops/target/classes:$(cat "$CP_FILE")" \
  io.requestflow.gateway.GatewayBenchmark "${1:-6}" "${2:-5}" "${3:-32}" "${4:-all}"
