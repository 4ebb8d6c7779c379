package io.requestflow.services;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.requestflow.data.DataTier;
import io.requestflow.data.Database;
import io.requestflow.data.PostgresConfig;
import io.requestflow.data.RedisConfig;
import io.requestflow.data.ReplicaConfig;
import io.requestflow.engine.admin.AdminServer;
import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.hop.HopContext;
import io.requestflow.engine.hop.HttpHop;
import io.requestflow.engine.http.Json;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.engine.server.ServerConfig;
import io.requestflow.engine.testing.Http;
import io.requestflow.engine.trace.ServerTiming;
import io.requestflow.services.cache.CacheAside;
import io.requestflow.services.cache.CacheConfig;
import io.requestflow.services.catalog.CatalogConfig;
import io.requestflow.services.catalog.CatalogService;
import io.requestflow.services.inventory.InventoryService;
import io.requestflow.services.orders.OrdersConfig;
import io.requestflow.services.orders.OrdersService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Read/write splitting against a real primary and a real streaming replica (built by the data tier):
 * reads on the replica, read-your-own-writes on the primary, lag takes a replica out, a dead one too.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicaRoutingTest {
    static final HostPort ANY = new HostPort("127.0.0.1", 0);
    static final long MAX_LAG = 1024 * 1024;
    @TempDir
    static Path dir;
    static DataTier data;
    static Engine engine;
    static HttpHop catalog;
    static HttpHop orders;
    static HttpHop ordersTwo;
    static HttpHop inventory;

    @BeforeAll
    static void start() {
        data = DataTier.start(dir, PostgresConfig.embedded(0), new ReplicaConfig(1, 0, null, MAX_LAG, 100),
                RedisConfig.embedded(0), 100);
        engine = new Engine(2, 100);
        catalog = service("catalog", (sql, cache) -> new CatalogService(CatalogConfig.defaults(), sql, cache)
                .stages(engine.blocking()));
        orders = service("orders", (sql, cache) -> new OrdersService(OrdersConfig.defaults(), sql, cache)
                .stages(engine.blocking()));
        ordersTwo = service("orders", "orders-2", (sql, cache) -> new OrdersService(OrdersConfig.defaults(), sql, cache)
                .stages(engine.blocking()));
        inventory = service("inventory", (sql, cache) -> new InventoryService(60, sql, cache).stages(engine.blocking()));
    }

    static HttpHop service(String name, BiFunction<Sql, CacheAside, List<Stage>> stages) {
        return service(name, name + "-1", stages);
    }

    /** One instance of a service, with its own pools and Redis client, as `./flow up` starts it. */
    static HttpHop service(String name, String instance, BiFunction<Sql, CacheAside, List<Stage>> stages) {
        HopContext ctx = engine.hop(name, instance);
        Database primary = ctx.own(Database.open(data.jdbc(), PostgresConfig.defaults(), name));
        Database replica = ctx.own(Database.openReplica(data.replicas().getFirst(), PostgresConfig.defaults(),
                name + "-replica-1"));
        RedisCache redis = ctx.own(new RedisCache(data.redisUrl(), Duration.ofMillis(500)));
        ReplicaRouter router = ctx.own(new ReplicaRouter(primary.dataSource(),
                List.of(new ReplicaRouter.Replica("replica-1", replica.dataSource())), MAX_LAG, 100, ctx.registry(),
                new SharedWritePositions(redis)));
        CacheAside cache = new CacheAside(redis, CacheConfig.defaults(), new SimpleMeterRegistry());
        return HttpHop.start(ctx, new HttpHop.Spec(ANY, ANY, ServerConfig.defaults(), 30_000),
                stages.apply(new Sql(primary.dataSource(), router), cache), AdminServer.Readiness.always(), Map.of());
    }

    @AfterAll
    static void stop() {
        if (catalog != null) catalog.close();
        if (orders != null) orders.close();
        if (ordersTwo != null) ordersTwo.close();
        if (inventory != null) inventory.close();
        if (engine != null) engine.close();
        if (data != null) data.close();
    }

    static String postgresDesc(HttpResponse<String> r) {
        return ServerTiming.parse(r.headers().firstValue("server-timing").orElseThrow()).stream()
                .filter(e -> e.name().equals("postgres")).map(ServerTiming.Entry::desc).reduce((a, b) -> a + "," + b)
                .orElse("");
    }

    static HttpResponse<String> listing() {
        return Http.get("http://127.0.0.1:" + catalog.address().getPort() + "/api/categories/home/products?limit=5");
    }

    static HttpResponse<String> order(String user, long id) {
        return order(orders, user, id);
    }

    static HttpResponse<String> order(HttpHop instance, String user, long id) {
        return Http.get("http://127.0.0.1:" + instance.address().getPort() + "/api/orders/" + id, "x-user-id", user);
    }

    static void onReplica(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:"
                + data.embeddedReplicas().getFirst().port() + "/postgres", "postgres", "");
             Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static long countOnReplica(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(data.replicas().getFirst().url(), "requestflow", "");
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void until(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(condition.getAsBoolean()).isTrue();
    }

    @Test
    @Order(1)
    void readsAreServedByTheReplica() throws Exception {
        assertThat(countOnReplica("SELECT count(*) FROM products")).isEqualTo(100);
        assertThat(listing().statusCode()).isEqualTo(200);
        // the primary serves until the first lag check (every 100 ms here) has seen the replica
        until(() -> postgresDesc(listing()).contains("@replica-1"));
    }

    @Test
    @Order(2)
    void readYourOwnWritesHoldsRightAfterAnOrderWhileTheReplicaLags() throws Exception {
        until(() -> postgresDesc(order("seed-1", 1)).contains("@replica-1"));
        onReplica("SELECT pg_wal_replay_pause()");
        try {
            var placed = Http.post("http://127.0.0.1:" + orders.address().getPort() + "/api/orders",
                    "{\"items\":[{\"productId\":5,\"quantity\":1}]}", "content-type", "application/json",
                    "x-user-id", "erin");
            assertThat(placed.statusCode()).isEqualTo(201);
            long id = Json.tree(placed.body().getBytes(StandardCharsets.UTF_8)).get("id").asLong();
            assertThat(countOnReplica("SELECT count(*) FROM orders WHERE id = " + id)).as("the replica lags").isZero();

            var mine = order("erin", id);
            assertThat(mine.statusCode()).isEqualTo(200);
            assertThat(postgresDesc(mine)).doesNotContain("@replica");
            // someone who did not write still reads from the (slightly behind, within limit) replica
            var other = order("seed-1", 1);
            assertThat(other.statusCode()).isEqualTo(200);
            assertThat(postgresDesc(other)).as(() -> orders.context().registry().scrape().lines()
                    .filter(l -> l.contains("replica")).toList().toString()).contains("@replica-1");

            // lag beyond the limit takes the replica out of rotation for everyone
            try (Connection c = data.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO outbox (aggregate, aggregate_id, event_type, payload) SELECT 'test', g, 'Filler',"
                        + " jsonb_build_object('pad', repeat('x', 300)) FROM generate_series(1, 8000) g");
            }
            until(() -> !postgresDesc(order("seed-1", 1)).contains("@replica"));
        } finally {
            onReplica("SELECT pg_wal_replay_resume()");
        }
        // caught up again: back in rotation
        until(() -> postgresDesc(order("seed-1", 1)).contains("@replica-1"));
    }

    @Test
    @Order(3)
    void readYourOwnWritesHoldsOnAnotherInstanceOfTheService() throws Exception {
        until(() -> postgresDesc(order(ordersTwo, "seed-1", 1)).contains("@replica-1"));
        onReplica("SELECT pg_wal_replay_pause()");
        try {
            var placed = Http.post("http://127.0.0.1:" + orders.address().getPort() + "/api/orders",
                    "{\"items\":[{\"productId\":6,\"quantity\":1}]}", "content-type", "application/json",
                    "x-user-id", "gina");
            assertThat(placed.statusCode()).isEqualTo(201);
            long id = Json.tree(placed.body().getBytes(StandardCharsets.UTF_8)).get("id").asLong();
            assertThat(countOnReplica("SELECT count(*) FROM orders WHERE id = " + id)).as("the replica lags").isZero();

            // the next read lands on the other instance, which heard of the write through Redis: primary, found
            var mine = order(ordersTwo, "gina", id);
            assertThat(mine.statusCode()).isEqualTo(200);
            assertThat(postgresDesc(mine)).doesNotContain("@replica");
            assertThat(postgresDesc(order(ordersTwo, "seed-1", 1))).as("other clients stay on the replica")
                    .contains("@replica-1");
        } finally {
            onReplica("SELECT pg_wal_replay_resume()");
        }
    }

    static HttpResponse<String> stock(long productId) {
        return Http.get("http://127.0.0.1:" + inventory.address().getPort() + "/api/inventory/" + productId);
    }

    @Test
    @Order(4)
    void aWriteFencesItsCacheKeySoALaggingReplicaCannotCacheTheOldValue() throws Exception {
        // inventory's router has the replica in rotation (each read a new id: a second read would be a cache hit)
        java.util.concurrent.atomic.AtomicLong uncached = new java.util.concurrent.atomic.AtomicLong(20);
        until(() -> postgresDesc(stock(uncached.getAndIncrement())).contains("@replica-1"));
        assertThat(postgresDesc(stock(7))).as("a plain read is served by the replica").contains("@replica-1");
        int before = Json.tree(stock(7).body().getBytes(StandardCharsets.UTF_8)).get("available").asInt();
        onReplica("SELECT pg_wal_replay_pause()");
        try {
            var placed = Http.post("http://127.0.0.1:" + orders.address().getPort() + "/api/orders",
                    "{\"items\":[{\"productId\":7,\"quantity\":1}]}", "content-type", "application/json",
                    "x-user-id", "frank");
            assertThat(placed.statusCode()).isEqualTo(201);
            // another service (its own cache-aside, the same Redis), another reader, the replica still behind:
            // the fence the order left on the key sends this reload to the primary. The inventory's near-cache
            // drops its copy when the invalidation arrives over pub/sub, a moment after the write (at most
            // nearTtlMs): until then a read may still be served the old value from memory
            var after = stock(7);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (postgresDesc(after).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
                after = stock(7);
            }
            assertThat(after.statusCode()).isEqualTo(200);
            assertThat(postgresDesc(after)).doesNotContain("@replica");
            assertThat(Json.tree(after.body().getBytes(StandardCharsets.UTF_8)).get("available").asInt())
                    .isEqualTo(before - 1);
            // and what the reload cached is the new value: the next read is a Redis hit with it
            var cached = stock(7);
            assertThat(postgresDesc(cached)).isEmpty();
            assertThat(Json.tree(cached.body().getBytes(StandardCharsets.UTF_8)).get("available").asInt())
                    .isEqualTo(before - 1);
        } finally {
            onReplica("SELECT pg_wal_replay_resume()");
        }
    }

    @Test
    @Order(9)
    void replicaStoppedMidLoadGivesNoReadErrors() throws Exception {
        ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2_000);
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<CompletableFuture<Void>> clients = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                clients.add(CompletableFuture.runAsync(() -> {
                    while (System.nanoTime() < end) statuses.add(listing().statusCode());
                }, pool));
            }
            Thread.sleep(600);
            data.embeddedReplicas().getFirst().close();
            CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).join();
        }
        assertThat(statuses).hasSizeGreaterThan(50).containsOnly(200);
        var after = listing();
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(postgresDesc(after)).doesNotContain("@replica");
    }
}
