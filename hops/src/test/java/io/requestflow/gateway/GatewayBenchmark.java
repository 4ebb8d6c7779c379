package io.requestflow.gateway;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.requestflow.data.EmbeddedRedisServer;
import io.requestflow.data.RedisConfig;
import io.requestflow.engine.admin.AdminServer;
import io.requestflow.engine.client.ClientConfig;
import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.hop.HttpHop;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.engine.server.ServerConfig;
import io.requestflow.engine.service.Router;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway hop with JWT validation, the deny list and Redis throttling on, against the same hop with
 * all of it off, in one run: one backend, one Redis, two gateway instances, and {@code wrk} driving
 * them in alternating rounds so both see the same machine conditions. Besides requests/s it reports, per
 * request, this process's CPU time and allocation (and, with {@code -Dbench.perf=true}, its instructions in
 * user and kernel mode, counted by Linux perf), which the other load on the machine moves far less than
 * throughput. Not a test; run with
 * <pre>./mvnw -q -pl hops -am test-compile &amp;&amp; java -cp … io.requestflow.gateway.GatewayBenchmark [rounds] [seconds] [connections]</pre>
 * (docs/benchmarks.md shows the exact command). Needs {@code wrk} (Debian package).
 */
public final class GatewayBenchmark {
    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern P50 = Pattern.compile("50%\\s+([0-9.]+)(us|ms|s)");
    private static final Pattern P99 = Pattern.compile("99%\\s+([0-9.]+)(us|ms|s)");
    private static final Pattern NON2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in");
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int connections = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        // what "on" turns on: all (JWT + deny list + throttling with leases, the defaults), all-exact (the
        // same with one Redis take per request: throttleLeaseMs 0), all-sync20 (throttleLeaseMs 0,
        // throttleSyncMs 20), jwt (JWT only, no Redis), throttle (leased throttling only, no JWT)
        String variant = args.length > 3 ? args[3] : "all";
        HostPort any = new HostPort("127.0.0.1", 0);
        Path dir = Files.createTempDirectory("gateway-bench");
        try (Engine engine = new Engine(2, 100);
             EmbeddedRedisServer redis = EmbeddedRedisServer.start(dir, RedisConfig.embedded(0))) {
            ECKey key = new ECKeyGenerator(Curve.P_256).keyIDFromThumbprint(true).generate();
            HttpHop jwks = HttpHop.start(engine.hop("auth", "auth"), new HttpHop.Spec(any, any, ServerConfig.defaults(), 5000),
                    List.of(Router.builder().get("/.well-known/jwks.json", (ex, p) -> Response.json(200,
                            new JWKSet(key.toPublicJWK()).toJSONObject(true))).build(engine.blocking())),
                    AdminServer.Readiness.always(), Map.of());
            byte[] body = "{\"id\":42,\"name\":\"benchmark product\",\"price\":1999}".getBytes();
            Stage backend = (ex, next) -> Stage.answer(Response.of(200, "application/json", body));
            HttpHop service = HttpHop.start(engine.hop("svc", "svc"), new HttpHop.Spec(any, any, ServerConfig.defaults(), 5000),
                    List.of(backend), AdminServer.Readiness.always(), Map.of());
            String svc = HostPort.of(service.address()).toString();
            String jwksUrl = "http://" + HostPort.of(jwks.address()) + "/.well-known/jwks.json";

            var off = new GatewayConfig(List.of(new GatewayConfig.Route("/api/items", "svc", svc, "none", List.of(), null)),
                    GatewayConfig.Jwt.defaults(jwksUrl));
            var onRoute = new GatewayConfig.Route("/api/items", "svc", svc, variant.equals("throttle") ? "none" : "jwt",
                    List.of("catalog:read"), null, List.of(), null, Map.of(), null,
                    variant.equals("jwt") ? null : new GatewayConfig.Throttle(1_000_000, 1_000_000, "route"), null, List.of());
            var on = new GatewayConfig(List.of(onRoute), GatewayConfig.Jwt.defaults(jwksUrl), Map.of(),
                    variant.equals("jwt") ? null : new GatewayConfig.Redis(redis.url(), 500, false, 1000, 500,
                            variant.equals("all-sync20") ? 20 : 0,
                            variant.startsWith("all-") ? 0 : GatewayConfig.Redis.DEFAULT_LEASE_MS,
                            GatewayConfig.Redis.DEFAULT_MAX_LEASE_TOKENS), null,
                    GatewayConfig.Cors.none());
            HttpHop gwOff = gateway(engine, "gateway-off", off);
            HttpHop gwOn = gateway(engine, "gateway-on", on);

            long now = System.currentTimeMillis();
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
                    .type(JOSEObjectType.JWT).build(), new JWTClaimsSet.Builder().issuer("https://auth.requestflow.test")
                    .audience("requestflow-api").subject("42").claim("scope", "catalog:read profile")
                    .issueTime(new Date(now)).expirationTime(new Date(now + 3_600_000)).jwtID("bench").build());
            jwt.sign(new ECDSASigner(key));
            String auth = "Authorization: Bearer " + jwt.serialize();

            System.out.printf("gateway benchmark (on = %s): %d rounds x %d s per variant, wrk -t2 -c%d, alternating; %d CPUs; load average %s%n",
                    variant, rounds, seconds, connections, Runtime.getRuntime().availableProcessors(), loadAverage());
            // warm both (JIT, pools, JWKS fetch, Redis connection)
            wrk(gwOff, auth, 3, connections);
            wrk(gwOn, auth, 3, connections);
            List<double[]> offRuns = new ArrayList<>();
            List<double[]> onRuns = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                boolean offFirst = r % 2 == 0;
                double[] a = wrk(offFirst ? gwOff : gwOn, auth, seconds, connections);
                double[] b = wrk(offFirst ? gwOn : gwOff, auth, seconds, connections);
                double[] o = offFirst ? a : b;
                double[] n = offFirst ? b : a;
                offRuns.add(o);
                onRuns.add(n);
                System.out.printf("round %d: off %8.0f req/s (p50 %.2f ms, p99 %.2f ms)   on %8.0f req/s (p50 %.2f ms, p99 %.2f ms, non-2xx %.0f)   on/off %.3f"
                                + "   cpu/req off %.1f us, on %.1f us   alloc/req off %.0f B, on %.0f B%s%n",
                        r + 1, o[0], o[1], o[2], n[0], n[1], n[2], n[3], n[0] / o[0], o[4], n[4], o[5], n[5],
                        Double.isNaN(o[6]) ? "" : String.format("   instructions/req user off %.0f, on %.0f; kernel off %.0f, on %.0f", o[6], n[6], o[7], n[7]));
            }
            double offMedian = median(offRuns, 0);
            double onMedian = median(onRuns, 0);
            System.out.printf("median: off %.0f req/s, on %.0f req/s, ratio on/off %.3f (throughput loss %.1f%%)%n",
                    offMedian, onMedian, onMedian / offMedian, 100 * (1 - onMedian / offMedian));
            System.out.printf("median p50: off %.2f ms, on %.2f ms; median p99: off %.2f ms, on %.2f ms; load average %s%n",
                    median(offRuns, 1), median(onRuns, 1), median(offRuns, 2), median(onRuns, 2), loadAverage());
            // CPU time and allocation of this process (gateways, backend, Redis client; not wrk or Redis) per
            // request: less sensitive than requests/s to what else the machine is running
            double offCpu = median(offRuns, 4), onCpu = median(onRuns, 4);
            double offAlloc = median(offRuns, 5), onAlloc = median(onRuns, 5);
            System.out.printf("median cpu/request: off %.1f us, on %.1f us (on/off %.3f, +%.1f us); alloc/request: off %.0f B, on %.0f B (+%.0f B)%n",
                    offCpu, onCpu, onCpu / offCpu, onCpu - offCpu, offAlloc, onAlloc, onAlloc - offAlloc);
            if (!Double.isNaN(median(offRuns, 6))) {
                System.out.printf("median instructions/request in user mode: off %.0f, on %.0f (on/off %.3f, +%.0f); in the kernel: off %.0f, on %.0f (+%.0f)%n",
                        median(offRuns, 6), median(onRuns, 6), median(onRuns, 6) / median(offRuns, 6),
                        median(onRuns, 6) - median(offRuns, 6), median(offRuns, 7), median(onRuns, 7),
                        median(onRuns, 7) - median(offRuns, 7));
            }
            // how many Redis calls throttling made for the requests it admitted
            String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + gwOn.adminAddress().getPort() + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            System.out.printf("gateway-on: %.0f requests admitted from shared buckets, %.0f lease calls to Redis%n",
                    metric(metrics, "gateway_throttle_total\\{[^}]*result=\"allowed\"[^}]*store=\"redis\"[^}]*\\}"),
                    metric(metrics, "gateway_throttle_lease_calls_total(\\{[^}]*\\})?"));
            gwOn.close();
            gwOff.close();
            service.close();
            jwks.close();
        }
    }

    private static HttpHop gateway(Engine engine, String name, GatewayConfig config) {
        var ctx = engine.hop("gateway", name);
        HostPort any = new HostPort("127.0.0.1", 0);
        return HttpHop.start(ctx, new HttpHop.Spec(any, any, ServerConfig.defaults(), 5000),
                GatewayHop.stages(config, ctx, ClientConfig.defaults()), AdminServer.Readiness.always(), Map.of());
    }

    /** {requests/s, p50 ms, p99 ms, non-2xx count, this process's CPU µs per request, bytes allocated per request}. */
    private static double[] wrk(HttpHop gateway, String header, int seconds, int connections) throws Exception {
        long started = System.currentTimeMillis();
        // -Dbench.perf: also count this process's instructions during the run (Linux perf): unlike CPU time,
        // hardly moved by what else runs on the cores
        Process perf = Boolean.getBoolean("bench.perf") ? new ProcessBuilder("perf", "stat", "-x", ",", "-e",
                "instructions:u,instructions:k", "-p", Long.toString(ProcessHandle.current().pid()), "--", "sleep", Integer.toString(seconds))
                .redirectErrorStream(true).start() : null;
        long cpu0 = OS.getProcessCpuTime();
        long alloc0 = THREADS.getTotalThreadAllocatedBytes();
        Process p = new ProcessBuilder("wrk", "-t2", "-c" + connections, "-d" + seconds + "s", "--latency", "-H", header,
                "http://127.0.0.1:" + gateway.address().getPort() + "/api/items/42").redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String line; (line = r.readLine()) != null; ) out.append(line).append('\n');
        }
        p.waitFor();
        long cpu = OS.getProcessCpuTime() - cpu0;
        long alloc = THREADS.getTotalThreadAllocatedBytes() - alloc0;
        String text = out.toString();
        // -Dbench.windows: print when each run was, to split a flight recording (JFR) into on and off
        if (Boolean.getBoolean("bench.windows")) {
            System.out.printf("window %s %d %d%n", gateway.context().instance(), started, System.currentTimeMillis());
        }
        Matcher rps = RPS.matcher(text);
        if (!rps.find()) throw new IllegalStateException("wrk output not understood:\n" + text);
        Matcher non = NON2XX.matcher(text);
        Matcher count = REQUESTS.matcher(text);
        double requests = count.find() ? Double.parseDouble(count.group(1)) : Double.NaN;
        double instructions = Double.NaN;
        double kernel = Double.NaN;
        if (perf != null) {
            String counted = new String(perf.getInputStream().readAllBytes());
            perf.waitFor();
            // perf counts for exactly `seconds`; wrk's count is over about the same time
            instructions = count(counted, "u") / (Double.parseDouble(rps.group(1)) * seconds);
            kernel = count(counted, "k") / (Double.parseDouble(rps.group(1)) * seconds);
        }
        return new double[]{Double.parseDouble(rps.group(1)), millis(P50, text), millis(P99, text),
                non.find() ? Double.parseDouble(non.group(1)) : 0, cpu / 1e3 / requests, alloc / requests, instructions, kernel};
    }

    /** A {@code perf stat -x ,} count of instructions in user ({@code u}) or kernel ({@code k}) mode. */
    private static double count(String perfOutput, String mode) {
        Matcher m = Pattern.compile("(?m)^(\\d+),[^,]*,instructions:" + mode).matcher(perfOutput);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private static double millis(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        if (!m.find()) return Double.NaN;
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> v / 1000;
            case "s" -> v * 1000;
            default -> v;
        };
    }

    private static double metric(String metrics, String nameAndTags) {
        Matcher m = Pattern.compile("(?m)^" + nameAndTags + " (?<value>[0-9.E+]+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group("value")) : 0;
    }

    private static double median(List<double[]> runs, int index) {
        double[] values = runs.stream().mapToDouble(r -> r[index]).sorted().toArray();
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (Exception e) {
            return "?";
        }
    }
}
