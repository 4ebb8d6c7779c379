# Sourced by bench/balancer-vs-haproxy.sh and bench/balancer-before-after.sh, so both measure against the same
# origin and the same HAProxy: nginx, one worker, a 1 KB file from memory (open_file_cache), plus /readyz on
# the admin port; HAProxy 2.x in mode http, keep-alive both sides, http-reuse always, round robin over the origin.
# Uses WORK, ORIGIN, ORIGIN_ADMIN and HAP; appends the two processes to PIDS and sets HAP_PID. Also the warm-up
# both give a balancer (warm_up_balancer, below).
start_origin_and_haproxy() {
mkdir -p "$WORK/www" "$WORK/logs"
head -c 1024 /dev/zero | tr '\0' 'x' > "$WORK/www/1k.txt"
cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  open_file_cache max=100;
  keepalive_requests 1000000;
  client_body_temp_path $WORK/logs; proxy_temp_path $WORK/logs; fastcgi_temp_path $WORK/logs;
  uwsgi_temp_path $WORK/logs; scgi_temp_path $WORK/logs;
  server { listen 127.0.0.1:$ORIGIN; root $WORK/www; }
  server { listen 127.0.0.1:$ORIGIN_ADMIN; location /readyz { return 200 "ready\n"; } }
}
CONF
chmod -R a+rX "$WORK"
nginx -p "$WORK" -c "$WORK/nginx.conf" & PIDS+=($!)

cat > "$WORK/haproxy.cfg" <<CONF
global
  maxconn 4096
defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 10s
  option http-keep-alive
frontend fe
  bind 127.0.0.1:$HAP
  default_backend be
backend be
  balance roundrobin
  http-reuse always
  server origin 127.0.0.1:$ORIGIN check inter 5s
CONF
haproxy -f "$WORK/haproxy.cfg" -db >"$WORK/logs/haproxy.log" 2>&1 & PIDS+=($!)
HAP_PID=$!
}

# Warms a balancer up as the measured runs use it: several short wrk runs, each opening and closing its
# connections. One long run leaves the closing paths unseen by the JIT: when its connections close, C2's
# speculations in the hottest Netty methods (epollInReady, write, flush) fail and those methods drop back to
# profiling code, to be compiled again a few hundred ms into the first measured run, inside its tail.
# Six runs of 5 s spend those traps before anything is measured (docs/benchmarks.md, balancer, round 12).
warm_up_balancer() { # port
  for _ in $(seq 1 "${WARMUP_RUNS:-6}"); do
    wrk -t"${THREADS:-2}" -c"${CONNECTIONS:-64}" -d"${WARMUP_SECONDS:-5}s" "http://127.0.0.1:$1/1k.txt" >/dev/null
  done
}
