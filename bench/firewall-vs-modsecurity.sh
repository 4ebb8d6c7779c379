#!/usr/bin/env bash
# The firewall's rules-on versus rules-off cost beside a reference WAF's, same machine, same run, same requests:
# Debian's nginx with ModSecurity 3 and the OWASP Core Rule Set (anomaly scoring, blocking, paranoia level 1,
# request bodies inspected, response bodies not, no audit log: as the firewall hop runs) against the same nginx
# without ModSecurity, each one worker process proxying to an nginx origin that answers 200. The Java side
# (io.requestflow.benchmarks.FirewallReference) also starts the firewall's own rules-on and rules-off hops
# (FirewallCpuCost's) and sends every request of the mix to all four in turn, so each pair sees the same load at the
# same moments. It reports each proxy's own CPU per request (the hops' event loops; the nginx workers' threads'
# /proc/PID/task/*/schedstat) and each WAF's loss, 1 - off / on: what a CPU-bound proxy loses to its rules. It also
# counts the benign requests ModSecurity refused.
#
# Usage: bench/firewall-vs-modsecurity.sh [ROUNDS] [REQUESTS]      (defaults 16 and 8000 per round)
# FIREWALL_MIX=repeated sends one request of the mix over and over. CRS_PARANOIA=2..4 raises ModSecurity's level
# (ours stays at its default, 1). Ports: BENCH_PORT_BASE (default 29700) .. +2 on 127.0.0.1. BENCH_KEEP=1 keeps the
# scratch directory (configurations, error logs); MODSEC_AUDIT=1 also writes ModSecurity's audit log of the requests
# it refused there (audit.log: which rules fired on what).
# Installs nginx, libnginx-mod-http-modsecurity and modsecurity-crs with apt-get: benchmark tools only, never
# part of the product.
set -euo pipefail

ROUNDS=${1:-16}
REQUESTS=${2:-8000}
MIX=${FIREWALL_MIX:-varied}
PARANOIA=${CRS_PARANOIA:-1}
case "$PARANOIA" in 1|2|3|4) ;; *) echo "CRS_PARANOIA must be 1 to 4, not '$PARANOIA'" >&2; exit 2;; esac
BASE=${BENCH_PORT_BASE:-29700}
ORIGIN=$BASE; MODSEC=$((BASE + 1)); PLAIN=$((BASE + 2))
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d /tmp/requestflow-modsec.XXXXXX)"
chmod 755 "$WORK" # nginx workers drop root and must read their files
JAVA="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
JAR="$ROOT/benchmarks/target/benchmarks.jar"

cleanup() {
  for conf in origin modsec plain; do
    [ -f "$WORK/$conf.pid" ] && kill "$(cat "$WORK/$conf.pid")" 2>/dev/null || true
  done
  if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

install() { # packages...
  echo "installing $* with apt-get..." >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq "$@" >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq "$@" >/dev/null; fi
}
command -v nginx >/dev/null 2>&1 || install nginx
MODULE=/usr/lib/nginx/modules/ngx_http_modsecurity_module.so
[ -f "$MODULE" ] || install libnginx-mod-http-modsecurity
[ -f /usr/share/modsecurity-crs/owasp-crs.load ] || install modsecurity-crs
NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -f "$JAR" ]; then
  echo "building $JAR..." >&2
  (cd "$ROOT" && JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}" ./mvnw -q -B -Pbench -pl benchmarks -am \
      package -DskipTests)
fi

# ModSecurity: Debian's recommended configuration, then what makes it run as the firewall hop does
cat > "$WORK/modsecurity-rules.conf" <<CONF
Include /etc/nginx/modsecurity.conf
SecRuleEngine On
SecResponseBodyAccess Off
SecAuditEngine $( [ "${MODSEC_AUDIT:-0}" = 1 ] && echo RelevantOnly || echo Off )
SecAuditLogParts ABHZ
SecAuditLog $WORK/audit.log
SecStatusEngine Off
SecTmpDir $WORK
SecDataDir $WORK
Include /etc/modsecurity/crs/crs-setup.conf
SecAction "id:900000,phase:1,nolog,pass,t:none,setvar:tx.paranoia_level=$PARANOIA"
Include /usr/share/modsecurity-crs/rules/*.conf
CONF

nginx_conf() { # name port [extra lines for the server]
  local name=$1 port=$2 extra=${3:-} load=""
  [ "$name" = modsec ] && load="load_module $MODULE;"
  cat > "$WORK/$name.conf" <<CONF
$load
worker_processes 1;
pid $WORK/$name.pid;
error_log $WORK/$name.error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/tmp-$name/body;
  proxy_temp_path $WORK/tmp-$name/proxy;
  fastcgi_temp_path $WORK/tmp-$name/fastcgi;
  uwsgi_temp_path $WORK/tmp-$name/uwsgi;
  scgi_temp_path $WORK/tmp-$name/scgi;
  keepalive_requests 1000000;
  upstream origin { server 127.0.0.1:$ORIGIN; keepalive 16; }
  server {
    listen 127.0.0.1:$port;
    $extra
  }
}
CONF
  mkdir -p "$WORK/tmp-$name"
  "$NGINX_BIN" -p "$WORK" -c "$WORK/$name.conf"
}
PROXY='location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection ""; }'
nginx_conf origin "$ORIGIN" 'location / { default_type text/plain; return 200 "ok"; }'
nginx_conf modsec "$MODSEC" "modsecurity on; modsecurity_rules_file $WORK/modsecurity-rules.conf; $PROXY"
nginx_conf plain "$PLAIN" "$PROXY"

worker() { # name -> the pid of its one worker process
  local master
  for _ in $(seq 1 50); do
    master=$(cat "$WORK/$1.pid" 2>/dev/null || true)
    [ -n "$master" ] && pgrep -P "$master" | head -1 && return
    sleep 0.1
  done
  echo "nginx '$1' did not start: $(cat "$WORK/$1.error.log" 2>/dev/null)" >&2
  exit 1
}
MODSEC_PID=$(worker modsec)
PLAIN_PID=$(worker plain)
for port in $MODSEC $PLAIN; do
  curl -sf --max-time 5 -o /dev/null "http://127.0.0.1:$port/" || { echo "nginx on $port does not answer" >&2; exit 1; }
done
# ModSecurity must be on: a plain SQL injection is refused there and passed by the plain nginx
status() { curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/?id=1%27%20OR%20%271%27=%271"; }
[ "$(status $MODSEC)" = 403 ] && [ "$(status $PLAIN)" = 200 ] \
  || { echo "ModSecurity is not blocking (got $(status $MODSEC) and $(status $PLAIN)); see $WORK/modsec.error.log" >&2; exit 1; }
echo "nginx $("$NGINX_BIN" -v 2>&1 | sed 's/.*\///'), ModSecurity $(dpkg-query -W -f '${Version}' libmodsecurity3 2>/dev/null)," \
  "CRS $(dpkg-query -W -f '${Version}' modsecurity-crs 2>/dev/null) at paranoia level $PARANOIA; request mix: $MIX"

"$JAVA" -Dfirewall.mix="$MIX" -cp "$JAR" io.requestflow.benchmarks.FirewallReference \
    "127.0.0.1:$MODSEC" "$MODSEC_PID" "127.0.0.1:$PLAIN" "$PLAIN_PID" "$ROUNDS" "$REQUESTS"
