package io.requestflow.services.page;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.requestflow.engine.admin.AdminServer;
import io.requestflow.engine.client.ClientConfig;
import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.hop.HttpHop;
import io.requestflow.engine.http.Json;
import io.requestflow.engine.server.ServerConfig;
import io.requestflow.engine.testing.Http;
import io.requestflow.engine.trace.ServerTiming;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The product page over real sockets against four scripted dependencies. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PageServiceTest {
    static Engine engine;
    static ScriptedUpstream catalog, inventory, reviews, recommendations;
    HttpHop page;
    PageService service;

    @BeforeAll
    static void upstreams() {
        engine = new Engine(2, 100);
        catalog = new ScriptedUpstream(engine, "catalog", "/api/products/{id}");
        inventory = new ScriptedUpstream(engine, "inventory", "/api/inventory/{id}");
        reviews = new ScriptedUpstream(engine, "reviews", "/api/reviews/{id}");
        recommendations = new ScriptedUpstream(engine, "recommendations", "/api/recommendations/{id}");
    }

    @AfterAll
    static void stop() {
        for (var u : List.of(catalog, inventory, reviews, recommendations)) u.close();
        engine.close();
    }

    /** A fresh page (fresh breakers) per test; {@code timeoutMs} for every part, breaker open for 500 ms. */
    void startPage(long timeoutMs) {
        startPage(timeoutMs, timeoutMs);
    }

    /** The product part gets its own timeout, so a busy machine cannot fail the page in optional-part tests. */
    void startPage(long productTimeoutMs, long timeoutMs) {
        for (var u : List.of(catalog, inventory, reviews, recommendations)) u.behave(0, 200);
        PageConfig config = new PageConfig(productTimeoutMs, timeoutMs, timeoutMs, timeoutMs,
                new PageConfig.Breaker(50, 10, 10, 500, 5), 64);
        var ctx = engine.hop("page", "page-1");
        List<Part> parts = List.of(
                Part.of("product", catalog.address(), "/api/products/", productTimeoutMs, true, config),
                Part.of("inventory", inventory.address(), "/api/inventory/", timeoutMs, false, config),
                Part.of("reviews", reviews.address(), "/api/reviews/", timeoutMs, false, config),
                Part.of("recommendations", recommendations.address(), "/api/recommendations/", timeoutMs, false, config));
        service = new PageService(parts, ctx.client(ClientConfig.defaults()), ctx.registry());
        page = HttpHop.start(ctx, new HttpHop.Spec(ScriptedUpstream.ANY, ScriptedUpstream.ANY, ServerConfig.defaults(),
                10_000), service.stages(engine.blocking()), AdminServer.Readiness.always(), Map.of());
    }

    @AfterEach
    void stopPage() {
        if (page != null) page.close();
    }

    HttpResponse<String> get(long id) {
        return Http.get("http://127.0.0.1:" + page.address().getPort() + "/api/pages/products/" + id);
    }

    static JsonNode json(HttpResponse<String> r) {
        return Json.tree(r.body().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void partsAreCalledInParallelSoThePageTakesAboutAsLongAsTheSlowest() {
        startPage(3_000);
        get(1); // warm connections
        for (var u : List.of(catalog, inventory, reviews, recommendations)) u.behave(400, 200);
        long start = System.nanoTime();
        var r = get(7);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.get("product").get("id").asLong()).isEqualTo(7);
        assertThat(body.get("degraded")).isEmpty();
        // four 400 ms calls: in sequence they would take 1600 ms
        assertThat(ms).isBetween(400L, 1_200L);
        var timing = ServerTiming.parse(r.headers().firstValue("server-timing").orElseThrow());
        assertThat(timing).extracting(ServerTiming.Entry::name)
                .contains("page", "product", "inventory", "reviews", "recommendations");
        assertThat(r.headers().firstValue("cache-control")).hasValue("public, max-age=5");
        assertThat(r.headers().firstValue("etag")).isPresent();
    }

    @Test
    void aHangingOptionalPartDegradesThePageWithinItsTimeout() {
        startPage(5_000, 1_000);
        get(1); // warm connections
        recommendations.behave(3_000, 200);
        long start = System.nanoTime();
        var r = get(3);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.get("recommendations").isNull()).isTrue();
        assertThat(body.get("degraded")).extracting(JsonNode::asText).containsExactly("recommendations");
        assertThat(body.get("inventory").get("id").asLong()).isEqualTo(3);
        assertThat(ms).as("answered after the 1 s timeout, not after the 3 s hang").isLessThan(2_500L);
        assertThat(r.headers().firstValue("cache-control")).hasValue("no-store");
    }

    @Test
    void theRequiredPartFailingFailsThePageWithAClearStatus() {
        startPage(1_500);
        catalog.behave(0, 404);
        var missing = get(9);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("content-type")).hasValue("application/problem+json");
        catalog.behave(0, 500);
        var broken = get(9);
        assertThat(broken.statusCode()).isEqualTo(502);
        assertThat(json(broken).get("part").asText()).isEqualTo("product");
        catalog.behave(3_000, 200);
        var slow = get(9);
        assertThat(slow.statusCode()).isEqualTo(504);
    }

    @Test
    void theCircuitOpensAfterTheThresholdFailsFastAndClosesAfterRecovery() throws Exception {
        startPage(5_000, 2_000);
        reviews.behave(0, 503);
        for (int i = 0; i < 10; i++) assertThat(json(get(5)).get("degraded")).extracting(JsonNode::asText).contains("reviews");
        CircuitBreaker breaker = service.part("reviews").breaker();
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);

        // open: reviews is not called at all, the page still answers
        int before = reviews.calls.get();
        var r = get(5);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(reviews.calls.get()).isEqualTo(before);
        assertThat(ServerTiming.parse(r.headers().firstValue("server-timing").orElseThrow()))
                .filteredOn(e -> e.name().equals("reviews")).extracting(ServerTiming.Entry::desc).containsExactly("open");

        // recovery: after the open period, five successful probes close it
        reviews.behave(0, 200);
        Thread.sleep(600);
        for (int i = 0; i < 5; i++) assertThat(json(get(5)).get("reviews").isNull()).isFalse();
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(json(get(5)).get("degraded")).isEmpty();
        assertThat(reviews.calls.get()).isEqualTo(before + 6);
    }

    @Test
    void fanOutIsMeasured() {
        startPage(5_000);
        get(1);
        get(2);
        String metrics = page.context().registry().scrape();
        assertThat(metrics).contains("requestflow_page_fanout_count");
        assertThat(metrics).containsPattern("requestflow_page_fanout_sum\\{[^}]*\\} 8\\.0");
        assertThat(metrics).contains("requestflow_page_breaker_state");
    }

    @Test
    void badIdsAreProblems() {
        startPage(300);
        assertThat(get(0).statusCode()).isEqualTo(400);
        assertThat(Http.get("http://127.0.0.1:" + page.address().getPort() + "/api/pages/products/abc").statusCode())
                .isEqualTo(400);
    }
}
