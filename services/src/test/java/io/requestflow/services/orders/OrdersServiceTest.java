package io.requestflow.services.orders;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.requestflow.data.DataTier;
import io.requestflow.data.Database;
import io.requestflow.data.PostgresConfig;
import io.requestflow.data.RedisConfig;
import io.requestflow.engine.admin.AdminServer;
import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.hop.HttpHop;
import io.requestflow.engine.http.Json;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.server.ServerConfig;
import io.requestflow.engine.testing.Http;
import io.requestflow.services.RedisCache;
import io.requestflow.services.Sql;
import io.requestflow.services.cache.CacheAside;
import io.requestflow.services.cache.CacheConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Orders against a real PostgreSQL and Redis: no overselling, idempotent retries, owner-only reads. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class OrdersServiceTest {
    static final HostPort ANY = new HostPort("127.0.0.1", 0);
    @TempDir
    static Path dir;
    static DataTier data;
    static Engine engine;
    static HttpHop orders;

    @BeforeAll
    static void start() {
        data = DataTier.start(dir, PostgresConfig.embedded(0), RedisConfig.embedded(0), 50);
        engine = new Engine(2, 100);
        var ctx = engine.hop("orders", "orders-1");
        Database db = ctx.own(Database.open(data.jdbc(), PostgresConfig.defaults().withPoolSize(10), "orders-test"));
        RedisCache redis = ctx.own(new RedisCache(data.redisUrl(), Duration.ofMillis(500)));
        OrdersService service = new OrdersService(OrdersConfig.defaults(), new Sql(db.dataSource()),
                new CacheAside(redis, CacheConfig.defaults(), new SimpleMeterRegistry()));
        orders = HttpHop.start(ctx, new HttpHop.Spec(ANY, ANY, ServerConfig.defaults(), 30_000),
                service.stages(engine.blocking()), AdminServer.Readiness.always(), Map.of());
    }

    @AfterAll
    static void stop() {
        if (orders != null) orders.close();
        if (engine != null) engine.close();
        if (data != null) data.close();
    }

    static String url(String path) {
        return "http://127.0.0.1:" + orders.address().getPort() + path;
    }

    static HttpResponse<String> buy(String user, String key, long productId, int quantity) {
        String body = "{\"items\":[{\"productId\":" + productId + ",\"quantity\":" + quantity + "}]}";
        List<String> headers = new ArrayList<>(List.of("content-type", "application/json", "x-user-id", user));
        if (key != null) headers.addAll(List.of("idempotency-key", key));
        return Http.post(url("/api/orders"), body, headers.toArray(String[]::new));
    }

    static long sql(String query) throws Exception {
        try (Connection c = data.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void setStock(long productId, int available) throws Exception {
        try (Connection c = data.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE inventory SET available = " + available + " WHERE product_id = " + productId);
        }
    }

    static JsonNode json(HttpResponse<String> r) {
        return Json.tree(r.body().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void fiftyConcurrentBuyersOfTheLastTenGetExactlyTenOrders() throws Exception {
        setStock(7, 10);
        List<CompletableFuture<HttpResponse<String>>> buyers = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 50; i++) {
                String user = "buyer-" + i;
                buyers.add(CompletableFuture.supplyAsync(() -> buy(user, "k-" + user, 7, 1), pool));
            }
            List<Integer> statuses = buyers.stream().map(f -> f.join().statusCode()).toList();
            assertThat(statuses).filteredOn(s -> s == 201).hasSize(10);
            assertThat(statuses).filteredOn(s -> s == 409).hasSize(40);
        }
        assertThat(sql("SELECT available FROM inventory WHERE product_id = 7")).isZero();
        assertThat(sql("SELECT count(*) FROM orders WHERE user_id LIKE 'buyer-%'")).isEqualTo(10);
        assertThat(sql("SELECT count(*) FROM outbox o JOIN orders r ON r.id = o.aggregate_id"
                + " WHERE r.user_id LIKE 'buyer-%' AND o.event_type = 'OrderPlaced'")).isEqualTo(10);
        var refused = buy("late-buyer", null, 7, 1);
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(refused.headers().firstValue("content-type")).hasValue("application/problem+json");
    }

    @Test
    void aRepeatedIdempotencyKeyReturnsTheFirstResult() throws Exception {
        setStock(11, 100);
        var first = buy("alice", "checkout-1", 11, 2);
        assertThat(first.statusCode()).isEqualTo(201);
        var second = buy("alice", "checkout-1", 11, 2);
        assertThat(second.statusCode()).isEqualTo(201);
        assertThat(second.headers().firstValue("idempotent-replayed")).hasValue("true");
        assertThat(json(second).get("id").asLong()).isEqualTo(json(first).get("id").asLong());
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(sql("SELECT available FROM inventory WHERE product_id = 11")).isEqualTo(98);

        // the same key sent ten times at once still makes one order
        List<CompletableFuture<HttpResponse<String>>> retries = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 10; i++) retries.add(CompletableFuture.supplyAsync(() -> buy("alice", "checkout-2", 11, 1), pool));
            assertThat(retries.stream().map(f -> json(f.join()).get("id").asLong()).distinct()).hasSize(1);
        }
        assertThat(sql("SELECT available FROM inventory WHERE product_id = 11")).isEqualTo(97);

        // the key belongs to the first request: a different order under it is refused
        assertThat(buy("alice", "checkout-1", 11, 5).statusCode()).isEqualTo(422);
        // keys are per user
        assertThat(buy("bob", "checkout-1", 11, 1).statusCode()).isEqualTo(201);
    }

    @Test
    void anOrderIsReadableOnlyByItsOwner() {
        var placed = buy("carol", null, 12, 1);
        assertThat(placed.statusCode()).isEqualTo(201);
        long id = json(placed).get("id").asLong();
        assertThat(placed.headers().firstValue("location")).hasValue("/api/orders/" + id);
        var mine = Http.get(url("/api/orders/" + id), "x-user-id", "carol");
        assertThat(mine.statusCode()).isEqualTo(200);
        assertThat(json(mine).get("items").get(0).get("productId").asLong()).isEqualTo(12);
        assertThat(mine.headers().firstValue("cache-control")).hasValue("private, no-cache");
        assertThat(Http.get(url("/api/orders/" + id), "x-user-id", "mallory").statusCode()).isEqualTo(404);
        assertThat(Http.get(url("/api/orders/" + id)).statusCode()).isEqualTo(401);
    }

    @Test
    void badOrdersAreClearProblems() throws Exception {
        String[] h = {"content-type", "application/json", "x-user-id", "dave"};
        assertThat(Http.post(url("/api/orders"), "not json", h).statusCode()).isEqualTo(400);
        assertThat(Http.post(url("/api/orders"), "{\"items\":[]}", h).statusCode()).isEqualTo(400);
        assertThat(Http.post(url("/api/orders"), "{\"items\":[{\"productId\":1,\"quantity\":0}]}", h).statusCode())
                .isEqualTo(400);
        assertThat(Http.post(url("/api/orders"), "{\"items\":[{\"productId\":\"x\",\"quantity\":1}]}", h).statusCode())
                .isEqualTo(400);
        assertThat(buy("dave", "bad key!", 1, 1).statusCode()).isEqualTo(400);
        assertThat(buy("dave", null, 999_999, 1).statusCode()).isEqualTo(422);
        setStock(13, 1);
        assertThat(buy("dave", null, 13, 2).statusCode()).isEqualTo(409);
        assertThat(sql("SELECT available FROM inventory WHERE product_id = 13")).as("nothing half-done").isEqualTo(1);
        assertThat(Http.post(url("/api/orders"), "{\"items\":[{\"productId\":1,\"quantity\":1}]}",
                "content-type", "application/json").statusCode()).isEqualTo(401);
    }
}
