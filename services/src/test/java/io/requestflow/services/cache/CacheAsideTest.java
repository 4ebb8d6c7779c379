package io.requestflow.services.cache;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.requestflow.data.DataTier;
import io.requestflow.data.Database;
import io.requestflow.data.EmbeddedRedisServer;
import io.requestflow.data.PostgresConfig;
import io.requestflow.data.RedisConfig;
import io.requestflow.engine.admin.AdminServer;
import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.hop.HttpHop;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.server.ServerConfig;
import io.requestflow.engine.testing.Http;
import io.requestflow.engine.trace.ServerTiming;
import io.requestflow.services.BackgroundWork;
import io.requestflow.services.RedisCache;
import io.requestflow.services.Sql;
import io.requestflow.services.catalog.CatalogConfig;
import io.requestflow.services.catalog.CatalogService;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Cache-aside in the catalog against real Redis and PostgreSQL: stampedes, negatives, near-cache, Redis loss. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CacheAsideTest {
    static final HostPort ANY = new HostPort("127.0.0.1", 0);
    @TempDir
    static Path dir;
    static EmbeddedRedisServer redisServer;
    static DataTier data;
    static Engine engine;
    static HttpHop catalog;
    static RedisCache redis;

    @BeforeAll
    static void start() {
        redisServer = EmbeddedRedisServer.start(dir.resolve("cache"), RedisConfig.embedded(0));
        data = DataTier.start(dir, PostgresConfig.embedded(0), RedisConfig.external(redisServer.url()), 300);
        engine = new Engine(2, 100);
        var ctx = engine.hop("catalog", "catalog-1");
        Database db = ctx.own(Database.open(data.jdbc(), PostgresConfig.defaults(), "catalog-test"));
        redis = ctx.own(new RedisCache(redisServer.url(), Duration.ofMillis(300)));
        CatalogService service = new CatalogService(CatalogConfig.defaults(), new Sql(db.dataSource()),
                new CacheAside(redis, CacheConfig.defaults(), ctx.registry()));
        catalog = HttpHop.start(ctx, new HttpHop.Spec(ANY, ANY, ServerConfig.defaults(), 10_000),
                service.stages(engine.blocking()), AdminServer.Readiness.always(), Map.of());
    }

    @AfterAll
    static void stop() {
        if (catalog != null) catalog.close();
        if (engine != null) engine.close();
        if (data != null) data.close();
        if (redisServer != null) redisServer.close();
    }

    static HttpResponse<String> product(long id) {
        return Http.get("http://127.0.0.1:" + catalog.address().getPort() + "/api/products/" + id);
    }

    static long postgresCalls(HttpResponse<String> r) {
        return ServerTiming.parse(r.headers().firstValue("server-timing").orElseThrow()).stream()
                .filter(e -> e.name().equals("postgres")).count();
    }

    @Test
    @Order(1)
    void twoHundredConcurrentMissesOnOneColdKeyMakeOneQuery() {
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 200; i++) calls.add(CompletableFuture.supplyAsync(() -> product(77), pool));
            List<HttpResponse<String>> replies = calls.stream().map(CompletableFuture::join).toList();
            assertThat(replies).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
            assertThat(replies.stream().mapToLong(CacheAsideTest::postgresCalls).sum()).isEqualTo(1);
        }
    }

    @Test
    @Order(2)
    void aMissingProductIsCachedAsMissing() {
        var first = product(5_000);
        assertThat(first.statusCode()).isEqualTo(404);
        assertThat(postgresCalls(first)).isEqualTo(1);
        var second = product(5_000);
        assertThat(second.statusCode()).isEqualTo(404);
        assertThat(postgresCalls(second)).isZero();
    }

    @Test
    @Order(3)
    void nearCacheEntriesAreDroppedEverywhereThroughPubSub() throws Exception {
        var ctx = engine.hop("cache-test", "cache-test-1");
        try (RedisCache redisA = new RedisCache(redisServer.url(), Duration.ofMillis(300));
             RedisCache redisB = new RedisCache(redisServer.url(), Duration.ofMillis(300))) {
            CacheConfig config = new CacheConfig(30, 100, 60_000, 0, 5_000, 1_000, 8, 2_000, 0);
            CacheAside a = new CacheAside(redisA, config, new SimpleMeterRegistry());
            CacheAside b = new CacheAside(redisB, config, new SimpleMeterRegistry());
            AtomicInteger loads = new AtomicInteger();
            assertThat(a.get(exchange(ctx), "k", 60, () -> "v" + loads.incrementAndGet())).isEqualTo("v1");
            assertThat(b.get(exchange(ctx), "k", 60, () -> "v" + loads.incrementAndGet())).isEqualTo("v1");
            Exchange third = exchange(ctx);
            assertThat(b.get(third, "k", 60, () -> "v" + loads.incrementAndGet())).isEqualTo("v1");
            assertThat(third.calls()).extracting(ServerTiming.Entry::name).containsExactly("near-cache");

            a.invalidate("k");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            String seen;
            do {
                Thread.sleep(20);
                seen = b.get(exchange(ctx), "k", 60, () -> "v" + loads.incrementAndGet());
            } while (seen.equals("v1") && System.nanoTime() < deadline);
            assertThat(seen).isEqualTo("v2");
        } finally {
            ctx.close();
        }
    }

    @Test
    @Order(4)
    void aKeyNearExpiryIsRefreshedEarlyByOneCaller() {
        var ctx = engine.hop("cache-test", "cache-test-2");
        try (RedisCache r = new RedisCache(redisServer.url(), Duration.ofMillis(300))) {
            AtomicInteger loads = new AtomicInteger();
            // beta 0: never early; an absurd beta: always "near expiry", so every hit triggers one reload
            CacheAside never = new CacheAside(r, new CacheConfig(30, 0, 1, 0, 5_000, 1_000, 8, 2_000, 0), new SimpleMeterRegistry());
            CacheAside always = new CacheAside(r, new CacheConfig(30, 0, 1, 1e12, 5_000, 1_000, 8, 2_000, 0), new SimpleMeterRegistry());
            assertThat(never.get(exchange(ctx), "early", 60, () -> "v" + loads.incrementAndGet())).isEqualTo("v1");
            assertThat(never.get(exchange(ctx), "early", 60, () -> "v" + loads.incrementAndGet())).isEqualTo("v1");
            assertThat(loads).hasValue(1);
            assertThat(always.get(exchange(ctx), "early", 60, () -> "v" + loads.incrementAndGet())).isEqualTo("v2");
            assertThat(never.get(exchange(ctx), "early", 60, () -> "v" + loads.incrementAndGet())).isEqualTo("v2");
        } finally {
            ctx.close();
        }
    }

    @Test
    @Order(5)
    void twoInstancesLoadAColdKeyOnceBetweenThem() {
        var ctx = engine.hop("cache-test", "cache-test-3");
        try (RedisCache ra = new RedisCache(redisServer.url(), Duration.ofMillis(300));
             RedisCache rb = new RedisCache(redisServer.url(), Duration.ofMillis(300))) {
            CacheConfig config = new CacheConfig(30, 0, 1, 0, 5_000, 2_000, 8, 2_000, 0);
            List<CacheAside> instances = List.of(new CacheAside(ra, config, new SimpleMeterRegistry()),
                    new CacheAside(rb, config, new SimpleMeterRegistry()));
            AtomicInteger loads = new AtomicInteger();
            CacheAside.Loader slow = () -> {
                loads.incrementAndGet();
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return "value";
            };
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<CompletableFuture<String>> calls = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    CacheAside instance = instances.get(i % 2);
                    calls.add(CompletableFuture.supplyAsync(() -> instance.get(exchange(ctx), "shared-cold", 60, slow), pool));
                }
                assertThat(calls.stream().map(CompletableFuture::join)).containsOnly("value");
            }
            assertThat(loads).hasValue(1);
        } finally {
            ctx.close();
        }
    }

    @Test
    @Order(6)
    void withRedisDownLoadsAreBoundedPerInstance() {
        var ctx = engine.hop("cache-test", "cache-test-4");
        try (RedisCache dead = new RedisCache("redis://127.0.0.1:" + Http.closedPort(), Duration.ofMillis(200))) {
            CacheAside cache = new CacheAside(dead, new CacheConfig(30, 100, 1_000, 1, 5_000, 1_000, 2, 5_000, 0),
                    new SimpleMeterRegistry());
            AtomicInteger running = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<CompletableFuture<String>> calls = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    String key = "down-" + i;
                    calls.add(CompletableFuture.supplyAsync(() -> cache.get(exchange(ctx), key, 60, () -> {
                        most.accumulateAndGet(running.incrementAndGet(), Math::max);
                        try {
                            Thread.sleep(50);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        running.decrementAndGet();
                        return key;
                    }), pool));
                }
                for (int i = 0; i < 20; i++) assertThat(calls.get(i).join()).isEqualTo("down-" + i);
            }
            assertThat(most.get()).isBetween(1, 2);
        } finally {
            ctx.close();
        }
    }

    @Test
    @Order(7)
    void aLoadInFlightWhenAWriteLandsCannotPutTheOldValueBackOverTheFence() {
        var ctx = engine.hop("cache-test", "cache-test-5");
        try (RedisCache r = new RedisCache(redisServer.url(), Duration.ofMillis(300))) {
            CacheAside cache = new CacheAside(r, new CacheConfig(30, 0, 1, 0, 5_000, 1_000, 8, 2_000, 5_000),
                    new SimpleMeterRegistry());
            AtomicInteger loads = new AtomicInteger();
            // the first load reads the old value, and a write (with its invalidation) lands before it returns,
            // as with a replica read that is still in flight when an order commits on the primary
            CacheAside.Loader racing = () -> {
                if (loads.incrementAndGet() == 1) {
                    cache.invalidate("raced");
                    return "old";
                }
                return "new";
            };
            Exchange first = exchange(ctx);
            assertThat(cache.get(first, "raced", 60, racing)).isEqualTo("old");
            assertThat(first.calls()).extracting(ServerTiming.Entry::desc).contains("set-refused");

            Exchange next = exchange(ctx);
            assertThat(cache.get(next, "raced", 60, racing)).isEqualTo("new");
            assertThat(next.calls()).extracting(ServerTiming.Entry::name).contains("write-fence");
            assertThat(cache.get(exchange(ctx), "raced", 60, racing)).isEqualTo("new");
            assertThat(loads).hasValue(2);
        } finally {
            ctx.close();
        }
    }

    static Exchange exchange(io.requestflow.engine.hop.HopContext ctx) {
        return BackgroundWork.exchange(ctx, "test");
    }

    @Test
    @Order(9)
    void redisStoppedMidLoadGivesNoClientErrorsAndComesBack() throws Exception {
        ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2_000);
        int port = redisServer.port();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<CompletableFuture<Void>> clients = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                int offset = c;
                clients.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; System.nanoTime() < end; i++) statuses.add(product(1 + (offset * 37 + i) % 300).statusCode());
                }, pool));
            }
            Thread.sleep(600);
            redisServer.close();
            CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).join();
        }
        assertThat(statuses).hasSizeGreaterThan(50).containsOnly(200);

        // Redis comes back on the same port: the service uses it again without a restart
        redisServer = EmbeddedRedisServer.start(dir.resolve("cache"), RedisConfig.embedded(port));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String desc;
        do {
            Thread.sleep(200);
            var r = product(3);
            assertThat(r.statusCode()).isEqualTo(200);
            desc = ServerTiming.parse(r.headers().firstValue("server-timing").orElseThrow()).stream()
                    .filter(e -> e.name().equals("redis")).findFirst().map(ServerTiming.Entry::desc).orElse("none");
        } while (!desc.equals("hit") && !desc.equals("miss") && System.nanoTime() < deadline);
        assertThat(desc).isIn("hit", "miss");
    }
}
