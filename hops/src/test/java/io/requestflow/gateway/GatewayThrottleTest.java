package io.requestflow.gateway;

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
import io.requestflow.engine.testing.Http;
import io.requestflow.engine.trace.ServerTiming;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Throttling over real sockets with a real Redis: two gateway instances share one API key's bucket;
 * quotas reset at the UTC day boundary; with Redis gone the gateway fails open on local buckets (or
 * 503 when configured fail-closed) and goes back to the shared buckets when Redis returns.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayThrottleTest {
    static final HostPort ANY = new HostPort("127.0.0.1", 0);
    static final long RATE = 40;
    static final long BURST = 20;
    static final Map<String, GatewayConfig.Plan> PLANS = Map.of(
            "metered", new GatewayConfig.Plan(RATE, BURST, 0, 0),
            "daily3", new GatewayConfig.Plan(1000, 1000, 3, 0),
            "slow", new GatewayConfig.Plan(1, 5, 0, 0));
    /** presented key → {id, plan}, as the auth service would answer by hash. */
    static final Map<String, String[]> KEYS = Map.of(
            "k-metered", new String[]{"key_metered", "metered"},
            "k-daily", new String[]{"key_daily", "daily3"},
            "k-slow", new String[]{"key_slow", "slow"},
            "k-closed", new String[]{"key_closed", "slow"},
            "k-exact", new String[]{"key_exact", "metered"});

    @TempDir
    static Path dir;
    static EmbeddedRedisServer redis;
    static int redisPort;
    static Engine engine;
    static HttpHop keyService;
    static HttpHop service;
    static HttpHop gw1;
    static HttpHop gw2;
    static HttpHop gwClosed;
    static HttpHop gwExact1;
    static HttpHop gwExact2;
    static final MutableClock clock = new MutableClock(Instant.parse("2026-03-31T23:59:58Z"));
    static final AtomicInteger serviceCalls = new AtomicInteger();
    /** When each request reached the service (for the sliding-window figure). */
    static final java.util.Queue<Long> serviceTimes = new java.util.concurrent.ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start() {
        engine = new Engine(2, 100);
        redis = EmbeddedRedisServer.start(dir, RedisConfig.embedded(0));
        redisPort = redis.port();
        Router.Builder lookup = Router.builder().get("/internal/apikeys/{hash}", (ex, p) -> {
            for (var e : KEYS.entrySet()) {
                if (ApiKeyResolver.hash(e.getKey()).equals(p.get("hash"))) {
                    return Response.json(200, Map.of("id", e.getValue()[0], "plan", e.getValue()[1], "active", true));
                }
            }
            return Response.json(404, Map.of());
        });
        keyService = HttpHop.start(engine.hop("auth", "auth"), new HttpHop.Spec(ANY, ANY, ServerConfig.defaults(), 5000),
                List.of(lookup.build(engine.blocking())), AdminServer.Readiness.always(), Map.of());
        Stage ok = (ex, next) -> {
            serviceCalls.incrementAndGet();
            serviceTimes.add(System.nanoTime());
            return Stage.answer(Response.json(200, Map.of("key", String.valueOf(ex.request().header("x-api-key-id"))))
                    .header("cache-control", "public, max-age=60"));
        };
        service = HttpHop.start(engine.hop("svc", "svc"), new HttpHop.Spec(ANY, ANY, ServerConfig.defaults(), 5000),
                List.of(ok), AdminServer.Readiness.always(), Map.of());
        gw1 = gateway("gateway-1", false);
        gw2 = gateway("gateway-2", false);
        gwClosed = gateway("gateway-closed", true);
        gwExact1 = gateway("gateway-exact-1", false, 0);
        gwExact2 = gateway("gateway-exact-2", false, 0);
    }

    /** The default throttling: tokens leased from Redis. */
    static HttpHop gateway(String name, boolean failClosed) {
        return gateway(name, failClosed, GatewayConfig.Redis.DEFAULT_LEASE_MS);
    }

    /** {@code leaseMs} 0: one Bucket4j take in Redis per request. */
    static HttpHop gateway(String name, boolean failClosed, long leaseMs) {
        String svc = HostPort.of(service.address()).toString();
        var routes = List.of(new GatewayConfig.Route("/api/partner", "svc", svc, "apikey", List.of(), null));
        GatewayConfig config = new GatewayConfig(routes, GatewayConfig.Jwt.defaults("http://127.0.0.1:1/jwks"), PLANS,
                new GatewayConfig.Redis("redis://127.0.0.1:" + redisPort, 300, failClosed, 200, 500, 0, leaseMs,
                        GatewayConfig.Redis.DEFAULT_MAX_LEASE_TOKENS),
                new GatewayConfig.ApiKeys("http://" + HostPort.of(keyService.address()) + "/internal/apikeys", 60, 2000),
                GatewayConfig.Cors.none());
        var ctx = engine.hop("gateway", name);
        return HttpHop.start(ctx, new HttpHop.Spec(ANY, ANY, ServerConfig.defaults(), 5000),
                GatewayHop.stages(config, ctx, ClientConfig.defaults(), clock), AdminServer.Readiness.always(), Map.of());
    }

    @AfterAll
    static void stop() {
        for (HttpHop h : new HttpHop[]{gwExact2, gwExact1, gwClosed, gw2, gw1, service, keyService}) if (h != null) h.close();
        if (engine != null) engine.close();
        if (redis != null) redis.close();
    }

    static HttpResponse<String> call(HttpHop gateway, String key) {
        return Http.get("http://127.0.0.1:" + gateway.address().getPort() + "/api/partner/x", "x-api-key", key);
    }

    /**
     * Which bucket decided: Server-Timing's throttle entry, or "redis" when there is none (a token from a
     * lease in hand, or a refusal while the shared bucket is known empty: the shared bucket, no call).
     */
    static String throttleStore(HttpResponse<String> r) {
        return ServerTiming.parse(r.headers().firstValue("server-timing").orElse("")).stream()
                .filter(e -> e.name().equals("throttle")).map(ServerTiming.Entry::desc).findFirst().orElse("redis");
    }

    @Test
    @Order(1)
    void missingAndUnknownKeysAre401AndAnswersToKeyHoldersAreNeverStoredBySharedCaches() {
        assertThat(Http.get("http://127.0.0.1:" + gw1.address().getPort() + "/api/partner/x").statusCode()).isEqualTo(401);
        var r = call(gw1, "k-nobody");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
        var ok = call(gw1, "k-slow");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("cache-control")).as("the service said public; shared caches must not store it")
                .hasValue("private, no-store");
    }

    @Test
    @Order(2)
    void twoInstancesShareOneKeysBucketThroughLeases() throws Exception {
        accuracy("leases (default)", gw1, gw2, "k-metered");
        long calls = leaseCalls(gw1) + leaseCalls(gw2);
        System.out.printf("throttling accuracy (leases): %d Redis lease calls in all%n", calls);
        assertThat(calls).as("takes go to Redis as leases").isPositive();
    }

    @Test
    @Order(3)
    void twoInstancesShareOneKeysBucketExactly() throws Exception {
        accuracy("one Redis take per request", gwExact1, gwExact2, "k-exact");
        assertThat(leaseCalls(gwExact1)).isZero();
    }

    static long leaseCalls(HttpHop gateway) {
        String metrics = Http.get("http://127.0.0.1:" + gateway.adminAddress().getPort() + "/metrics").body();
        var m = java.util.regex.Pattern.compile("gateway_throttle_lease_calls_total(\\{[^}]*\\})? ([0-9.E]+)").matcher(metrics);
        return m.find() ? (long) Double.parseDouble(m.group(2)) : 0;
    }

    /** Two instances, 16 clients on one key for 3 s: accepted within rate × t + burst. */
    static void accuracy(String mode, HttpHop gwA, HttpHop gwB, String apiKey) throws Exception {
        int clients = 16;
        long runNanos = 3_000_000_000L;
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger limited = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        AtomicInteger acceptedLocally = new AtomicInteger();
        int callsBefore = serviceCalls.get();
        serviceTimes.clear();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            HttpHop target = c % 2 == 0 ? gwA : gwB;
            running.add(pool.submit(() -> {
                while (System.nanoTime() - start < runNanos) {
                    var r = call(target, apiKey);
                    if (r.statusCode() == 200) {
                        accepted.incrementAndGet();
                        if (throttleStore(r).equals("local")) acceptedLocally.incrementAndGet();
                        assertThat(Long.parseLong(r.headers().firstValue("ratelimit-remaining").orElseThrow()))
                                .isBetween(0L, BURST);
                    } else if (r.statusCode() == 429) {
                        limited.incrementAndGet();
                        assertThat(r.headers().firstValue("retry-after")).isPresent();
                        assertThat(r.headers().firstValue("ratelimit-limit")).hasValue(Long.toString(BURST));
                        assertThat(r.headers().firstValue("ratelimit-remaining")).hasValue("0");
                        assertThat(r.headers().firstValue("ratelimit-reset")).isPresent();
                    } else {
                        other.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : running) f.get();
        double elapsed = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        double allowed = BURST + RATE * elapsed;
        // a Redis call slower than the timeout on a loaded machine sends that instance to its local bucket
        // for redisRetryMs (fail-open, by design): those admissions take no shared tokens and are counted apart
        int shared = accepted.get() - acceptedLocally.get();
        double margin = (shared - allowed) / allowed;
        System.out.printf("throttling accuracy (%s): %d clients over 2 gateway instances, %.2f s, plan %d/s burst %d:"
                        + " accepted %d from the shared bucket (+%d from local buckets while Redis timed out), limited %d,"
                        + " bound rate*t+burst = %.1f, error margin %+.2f%%; busiest window at the service: %.1f above"
                        + " rate*t (burst %d)%n",
                mode, clients, elapsed, RATE, BURST, shared, acceptedLocally.get(), limited.get(), allowed, margin * 100,
                busiestWindow(), BURST);
        assertThat(other.get()).isZero();
        assertThat(limited.get()).as("the clients asked for more than the plan allows").isPositive();
        assertThat((double) shared).as("never more than rate*t + burst from the shared bucket (1 request of slack)")
                .isLessThanOrEqualTo(allowed + 1);
        // below the bound happens when Redis answers slowly or the clients stall on a loaded machine (see
        // docs/benchmarks.md); half of what was asked for, up to the bound, shows the bucket is not starved
        double asked = Math.min(accepted.get() + limited.get(), allowed);
        assertThat((double) accepted.get()).as("the shared bucket is not starved").isGreaterThanOrEqualTo(asked * 0.5);
        assertThat(serviceCalls.get() - callsBefore).as("only accepted requests reach the service").isEqualTo(accepted.get());
        assertThat(throttleStore(call(gwB, apiKey))).isEqualTo("redis");
    }

    /**
     * The most requests that reached the service in any window, minus rate × the window's length: at
     * most the burst when every window keeps the bound (arrival jitter on a busy machine can add a little).
     */
    static double busiestWindow() {
        long[] t = serviceTimes.stream().mapToLong(Long::longValue).sorted().toArray();
        double worst = 0;
        for (int i = 0; i < t.length; i++) {
            for (int j = i; j < t.length; j++) worst = Math.max(worst, (j - i + 1) - RATE * (t[j] - t[i]) / 1e9);
        }
        return worst;
    }

    @Test
    @Order(4)
    void dailyQuotaResetsAtUtcMidnight() {
        for (int i = 0; i < 3; i++) assertThat(call(gw1, "k-daily").statusCode()).isEqualTo(200);
        var over = call(gw2, "k-daily");
        assertThat(over.statusCode()).isEqualTo(429);
        assertThat(over.body()).contains("daily quota of 3");
        assertThat(Long.parseLong(over.headers().firstValue("retry-after").orElseThrow())).isBetween(1L, 2L);
        clock.set(Instant.parse("2026-04-01T00:00:01Z"));
        assertThat(call(gw1, "k-daily").statusCode()).isEqualTo(200);
    }

    @Test
    @Order(5)
    void redisDownFailsOpenWithLocalBucketsThenRecovers() throws Exception {
        redis.close();
        // fail-open: served, from a local bucket (burst 5, 1/s), still limited
        int ok = 0;
        int limitedCount = 0;
        for (int i = 0; i < 8; i++) {
            var r = call(gw1, "k-slow");
            if (r.statusCode() == 200) {
                ok++;
                assertThat(throttleStore(r)).isEqualTo("local");
            } else if (r.statusCode() == 429) {
                limitedCount++;
            }
        }
        assertThat(ok).isBetween(5, 6);
        assertThat(limitedCount).isEqualTo(8 - ok);
        String metrics = Http.get("http://127.0.0.1:" + gw1.adminAddress().getPort() + "/metrics").body();
        assertThat(metrics).containsPattern("gateway_redis_up\\{[^}]*\\} 0\\.0");
        assertThat(metrics).containsPattern("gateway_throttle_total\\{[^}]*store=\"local\"[^}]*\\} [1-9]");
        // fail-closed instance: 503, never reaching the service
        int before = serviceCalls.get();
        var closed = call(gwClosed, "k-closed");
        assertThat(closed.statusCode()).isEqualTo(503);
        assertThat(closed.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(serviceCalls.get()).isEqualTo(before);

        redis = EmbeddedRedisServer.start(dir, RedisConfig.embedded(redisPort));
        long deadline = System.nanoTime() + 30_000_000_000L;
        String store = "local";
        while (System.nanoTime() < deadline && !store.equals("redis")) {
            Thread.sleep(250);
            store = throttleStore(call(gw1, "k-metered"));
        }
        assertThat(store).as("shared buckets in use again after Redis returned").isEqualTo("redis");
        assertThat(call(gwClosed, "k-closed").statusCode()).isEqualTo(200);
        assertThat(Http.get("http://127.0.0.1:" + gw1.adminAddress().getPort() + "/metrics").body())
                .containsPattern("gateway_redis_up\\{[^}]*\\} 1\\.0");
    }

    /** A clock the test moves across the day boundary. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
