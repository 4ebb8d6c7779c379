package io.requestflow.gateway;

import io.requestflow.engine.admin.AdminServer;
import io.requestflow.engine.client.ClientConfig;
import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.hop.HttpHop;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.engine.server.ServerConfig;
import io.requestflow.engine.testing.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The route table's predicates, templates and rewrites, body hygiene, CORS and security headers, over real sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayRoutingTest {
    static final HostPort ANY = new HostPort("127.0.0.1", 0);
    static final String CONSOLE = "https://console.requestflow.test";
    static Engine engine;
    static HttpHop service;
    static HttpHop gateway;
    static String base;

    @BeforeAll
    static void start() {
        engine = new Engine(2, 100);
        // the service echoes what reached it: method, target and which route's service name the gateway chose
        Stage echo = (ex, next) -> Stage.answer(Response.json(200, Map.of("method", ex.request().method(),
                "uri", ex.request().uri())));
        service = HttpHop.start(engine.hop("svc", "svc"), new HttpHop.Spec(ANY, ANY, ServerConfig.defaults(), 5000),
                List.of(echo), AdminServer.Readiness.always(), Map.of());
        String svc = HostPort.of(service.address()).toString();
        List<GatewayConfig.Route> routes = List.of(
                route("/api/items", svc, List.of("GET"), null, Map.of(), null, null, List.of()),
                route("/api/items", svc, List.of("POST"), null, Map.of(), null, 16L, List.of("application/json")),
                route("/api/v1/items/{id}", svc, List.of(), null, Map.of(), "/items/{id}/v1", null, List.of()),
                route("/api/beta", svc, List.of(), null, Map.of("x-beta", "on"), "/beta", null, List.of()),
                route("/api/beta", svc, List.of(), null, Map.of(), null, null, List.of()),
                route("/admin", svc, List.of(), "admin.requestflow.test", Map.of(), null, null, List.of()));
        GatewayConfig config = new GatewayConfig(routes, GatewayConfig.Jwt.defaults("http://127.0.0.1:1/jwks"),
                Map.of(), null, null, new GatewayConfig.Cors(List.of(CONSOLE), 600));
        var ctx = engine.hop("gateway", "gateway-1");
        gateway = HttpHop.start(ctx, new HttpHop.Spec(ANY, ANY, ServerConfig.defaults(), 5000),
                GatewayHop.stages(config, ctx, ClientConfig.defaults()), AdminServer.Readiness.always(), Map.of());
        base = "http://127.0.0.1:" + gateway.address().getPort();
    }

    static GatewayConfig.Route route(String prefix, String svc, List<String> methods, String host, Map<String, String> headers,
                                     String rewrite, Long maxBody, List<String> types) {
        return new GatewayConfig.Route(prefix, "svc", svc, "none", List.of(), null, methods, host, headers, rewrite, null,
                maxBody, types);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        service.close();
        engine.close();
    }

    @Test
    void methodPredicatesPickTheRouteAndOtherMethodsAre405() {
        assertThat(Http.get(base + "/api/items/3").body()).contains("\"method\":\"GET\"");
        assertThat(Http.post(base + "/api/items", "{}", "content-type", "application/json").statusCode()).isEqualTo(200);
        var put = Http.send("PUT", base + "/api/items", "{}", "content-type", "application/json");
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(put.headers().firstValue("allow").orElseThrow()).contains("GET").contains("POST");
        assertThat(put.headers().firstValue("content-type")).hasValue("application/problem+json");
    }

    @Test
    void templatesAndRewritesShapeThePathTheServiceSees() {
        var r = Http.get(base + "/api/v1/items/42/reviews?page=2");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"uri\":\"/items/42/v1/reviews?page=2\"");
        assertThat(Http.get(base + "/api/v1/items//x").body()).doesNotContain("/items//v1");
    }

    @Test
    void headerPredicatesSelectARouteOnlyWhenTheHeaderMatches() {
        assertThat(Http.get(base + "/api/beta/x", "x-beta", "on").body()).contains("\"uri\":\"/beta/x\"");
        assertThat(Http.get(base + "/api/beta/x", "x-beta", "off").body()).contains("\"uri\":\"/api/beta/x\"");
        assertThat(Http.get(base + "/api/beta/x").body()).contains("\"uri\":\"/api/beta/x\"");
    }

    @Test
    void hostPredicatesNeedTheNamedHost() throws IOException {
        assertThat(raw("GET /admin/x HTTP/1.1\r\nHost: admin.requestflow.test\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200");
        assertThat(raw("GET /admin/x HTTP/1.1\r\nHost: shop.requestflow.test\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 404");
    }

    @Test
    void bodiesOverTheRouteLimitAre413AndOtherMediaTypes415() {
        var big = Http.post(base + "/api/items", "{\"a\":\"0123456789abcdef\"}", "content-type", "application/json");
        assertThat(big.statusCode()).isEqualTo(413);
        assertThat(big.headers().firstValue("content-type")).hasValue("application/problem+json");
        var text = Http.post(base + "/api/items", "{}", "content-type", "text/plain");
        assertThat(text.statusCode()).isEqualTo(415);
        assertThat(Http.post(base + "/api/items", "{}", "content-type", "application/json; charset=utf-8").statusCode()).isEqualTo(200);
    }

    @Test
    void corsAllowsOnlyTheConsoleOrigin() {
        var ok = Http.send("OPTIONS", base + "/api/items", null, "Origin", CONSOLE, "Access-Control-Request-Method", "POST");
        assertThat(ok.statusCode()).isEqualTo(204);
        assertThat(ok.headers().firstValue("access-control-allow-origin")).hasValue(CONSOLE);
        assertThat(ok.headers().firstValue("access-control-allow-credentials")).isEmpty();
        var evil = Http.send("OPTIONS", base + "/api/items", null, "Origin", "https://evil.example", "Access-Control-Request-Method", "POST");
        assertThat(evil.statusCode()).isEqualTo(403);
        assertThat(evil.headers().firstValue("access-control-allow-origin")).isEmpty();
        assertThat(Http.get(base + "/api/items", "Origin", CONSOLE).headers().firstValue("access-control-allow-origin")).hasValue(CONSOLE);
        assertThat(Http.get(base + "/api/items", "Origin", "https://evil.example").headers().firstValue("access-control-allow-origin")).isEmpty();
    }

    @Test
    void securityHeadersAreOnEveryResponseAndHstsOnlyForTls() {
        for (var r : List.of(Http.get(base + "/api/items"), Http.get(base + "/nothing"))) {
            assertThat(r.headers().firstValue("x-content-type-options")).hasValue("nosniff");
            assertThat(r.headers().firstValue("x-frame-options")).hasValue("DENY");
            assertThat(r.headers().firstValue("content-security-policy")).isPresent();
            assertThat(r.headers().firstValue("strict-transport-security")).isEmpty();
        }
        assertThat(Http.get(base + "/api/items", "x-forwarded-proto", "https").headers()
                .firstValue("strict-transport-security")).hasValueSatisfying(v -> assertThat(v).contains("max-age="));
    }

    static String raw(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", gateway.address().getPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
