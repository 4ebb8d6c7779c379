package io.requestflow.services.catalog;

import io.requestflow.data.DataTier;
import io.requestflow.data.Database;
import io.requestflow.data.PostgresConfig;
import io.requestflow.data.RedisConfig;
import io.requestflow.engine.admin.AdminServer;
import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.hop.HttpHop;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.server.ServerConfig;
import io.requestflow.engine.testing.Http;
import io.requestflow.engine.trace.ServerTiming;
import io.requestflow.services.RedisCache;
import io.requestflow.services.Sql;
import io.requestflow.services.cache.CacheAside;
import io.requestflow.services.cache.CacheConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The catalog against a real PostgreSQL, with Redis unreachable: the cache is never a dependency. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CatalogServiceTest {
    static final HostPort ANY = new HostPort("127.0.0.1", 0);
    @TempDir
    static Path dir;
    static DataTier data;
    static Engine engine;
    static HttpHop catalog;

    @BeforeAll
    static void start() {
        String deadRedis = "redis://127.0.0.1:" + Http.closedPort();
        data = DataTier.start(dir, PostgresConfig.embedded(0), RedisConfig.external(deadRedis), 50);
        engine = new Engine(2, 100);
        var ctx = engine.hop("catalog", "catalog-1");
        Database db = ctx.own(Database.open(data.jdbc(), PostgresConfig.defaults(), "catalog-test"));
        RedisCache cache = ctx.own(new RedisCache(deadRedis, Duration.ofMillis(300)));
        CatalogService service = new CatalogService(CatalogConfig.defaults(), new Sql(db.dataSource()),
                new CacheAside(cache, CacheConfig.defaults(), ctx.registry()));
        catalog = HttpHop.start(ctx, new HttpHop.Spec(ANY, ANY, ServerConfig.defaults(), 5000),
                service.stages(engine.blocking()), AdminServer.Readiness.always(), Map.of());
    }

    @AfterAll
    static void stop() {
        if (catalog != null) catalog.close();
        if (engine != null) engine.close();
        if (data != null) data.close();
    }

    @Test
    void redisDownMeansReadsComeFromPostgres() {
        for (int i = 0; i < 3; i++) {
            var r = Http.get("http://127.0.0.1:" + catalog.address().getPort() + "/api/products/5");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"id\":5");
            List<ServerTiming.Entry> timing = ServerTiming.parse(r.headers().firstValue("server-timing").orElseThrow());
            assertThat(timing).extracting(ServerTiming.Entry::name).contains("catalog", "redis", "postgres");
            assertThat(timing).filteredOn(e -> e.name().equals("redis")).first()
                    .extracting(ServerTiming.Entry::desc).isEqualTo("error");
        }
    }

    @Test
    void badIdsAndMissingProductsAreProblems() {
        String base = "http://127.0.0.1:" + catalog.address().getPort();
        assertThat(Http.get(base + "/api/products/-1").statusCode()).isEqualTo(400);
        assertThat(Http.get(base + "/api/products/51").statusCode()).isEqualTo(404);
        var missing = Http.get(base + "/api/products/51");
        assertThat(missing.headers().firstValue("content-type")).hasValue("application/problem+json");
    }

    static com.fasterxml.jackson.databind.JsonNode json(String url) {
        var r = Http.get(url);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("etag")).isPresent();
        return io.requestflow.engine.http.Json.tree(r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Follows {@code next} cursors to the end; returns the ids in the order served. */
    static List<Long> allPages(String firstUrl) {
        List<Long> ids = new java.util.ArrayList<>();
        String url = firstUrl;
        for (int page = 0; page < 100 && url != null; page++) {
            var body = json(url);
            body.get("items").forEach(item -> ids.add(item.get("id").asLong()));
            url = body.get("next").isNull() ? null : firstUrl + "&cursor=" + body.get("next").asText();
        }
        return ids;
    }

    @Test
    void categoryListingAndSearchPageByKeysetWithoutGapsOrRepeats() {
        String base = "http://127.0.0.1:" + catalog.address().getPort();
        String category = json(base + "/api/products/1").get("category").asText();
        List<Long> listed = allPages(base + "/api/categories/" + category + "/products?limit=3");
        List<Long> expected = new java.util.ArrayList<>();
        json(base + "/api/categories/" + category + "/products?limit=100").get("items")
                .forEach(item -> expected.add(item.get("id").asLong()));
        assertThat(listed).isEqualTo(expected).isSorted().contains(1L);

        String word = json(base + "/api/products/1").get("name").asText().split(" ")[2].toLowerCase();
        List<Long> searched = allPages(base + "/api/products?q=" + word + "&limit=2");
        List<Long> unpaged = new java.util.ArrayList<>();
        json(base + "/api/products?q=" + word + "&limit=100").get("items").forEach(i -> unpaged.add(i.get("id").asLong()));
        assertThat(searched).isEqualTo(unpaged).doesNotHaveDuplicates().contains(1L);

        assertThat(Http.get(base + "/api/products?q=" + word + "&cursor=bogus!").statusCode()).isEqualTo(400);
        assertThat(Http.get(base + "/api/categories/NOT_A_CATEGORY/products").statusCode()).isEqualTo(400);
        var etag = Http.get(base + "/api/products/2").headers().firstValue("etag").orElseThrow();
        assertThat(Http.get(base + "/api/products/2", "if-none-match", etag).statusCode()).isEqualTo(304);
    }
}
