package io.requestflow.engine;

import io.requestflow.engine.admin.AdminServer;
import io.requestflow.engine.client.ClientConfig;
import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.hop.HttpHop;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.engine.proxy.ForwardStage;
import io.requestflow.engine.proxy.Forwarder;
import io.requestflow.engine.server.ServerConfig;
import io.requestflow.engine.service.Router;
import io.requestflow.engine.testing.Http;
import io.requestflow.engine.trace.ServerTiming;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EngineTest {
    static Engine engine;
    static HttpHop service;
    static HttpHop proxy;
    static HttpHop proxyToNothing;
    static HttpHop proxyWithShortTimeout;

    static final HostPort ANY = new HostPort("127.0.0.1", 0);

    @BeforeAll
    static void start() {
        engine = new Engine(2, 1000);
        Router router = Router.builder()
                .get("/hello/{name}", (ex, p) -> {
                    ex.recordCall("redis", 250_000, "miss");
                    return Response.json(200, Map.of("hello", p.get("name"), "seenRequestId", ex.requestId(),
                            "seenTraceparent", String.valueOf(ex.request().header("traceparent"))));
                })
                .get("/slow", (ex, p) -> {
                    Thread.sleep(2_000);
                    return Response.text(200, "late");
                })
                .post("/echo", (ex, p) -> Response.of(200, "application/octet-stream", ex.request().body()))
                .build(engine.blocking());
        service = start("svc", List.of(router));
        var client = ClientConfig.defaults();
        proxy = start("proxy", List.of(new ForwardStage(new Forwarder(engine.hop("x", "x").client(client)),
                HostPort.of(service.address()))));
        proxyToNothing = start("proxy", List.of(new ForwardStage(
                new Forwarder(engine.hop("y", "y").client(client)), new HostPort("127.0.0.1", Http.closedPort()))));
        proxyWithShortTimeout = start("proxy", List.of(new ForwardStage(
                new Forwarder(engine.hop("z", "z").client(client.withReadTimeoutMs(300))), HostPort.of(service.address()))));
    }

    static HttpHop start(String name, List<Stage> stages) {
        return HttpHop.start(engine.hop(name, name + "-1"),
                new HttpHop.Spec(ANY, ANY, ServerConfig.defaults(), 5_000), stages, AdminServer.Readiness.always(),
                Map.of());
    }

    @AfterAll
    static void stop() {
        for (HttpHop h : List.of(proxy, proxyToNothing, proxyWithShortTimeout, service)) h.close();
        engine.close();
    }

    static String url(HttpHop hop, String path) {
        return "http://127.0.0.1:" + hop.address().getPort() + path;
    }

    @Test
    void forwardsAndEveryHopAddsItsServerTimingEntryInPathOrder() {
        var response = Http.get(url(proxy, "/hello/ada"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"hello\":\"ada\"");
        var entries = ServerTiming.parse(response.headers().firstValue("server-timing").orElseThrow());
        assertThat(entries).extracting(ServerTiming.Entry::name).containsExactly("proxy", "svc", "redis");
        assertThat(entries.get(0).durMs()).isGreaterThanOrEqualTo(entries.get(1).durMs());
        assertThat(entries.get(2).desc()).isEqualTo("miss");
        assertThat(entries.get(2).by()).as("a call names the hop that made it").isEqualTo("svc");
        assertThat(entries.get(1).isCall()).isFalse();
    }

    @Test
    void requestIdAndTraceparentReachTheService() {
        var response = Http.get(url(proxy, "/hello/x"), "traceparent",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        String id = response.headers().firstValue("x-request-id").orElseThrow();
        assertThat(response.body()).contains("\"seenRequestId\":\"" + id + "\"");
        assertThat(response.body()).contains("4bf92f3577b34da6a3ce929d0e0e4736");
        var spans = engine.spans().find("4bf92f3577b34da6a3ce929d0e0e4736", 50);
        assertThat(spans).extracting(s -> s.get("service")).contains("proxy", "svc");
    }

    @Test
    void refusedUpstreamIs502ProblemJson() {
        var response = Http.get(url(proxyToNothing, "/hello/x"));
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(response.body()).contains("refused the connection");
    }

    @Test
    void slowUpstreamIs504WithinTheReadTimeout() {
        long start = System.nanoTime();
        var response = Http.get(url(proxyWithShortTimeout, "/slow"));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(response.body()).contains("did not answer in time");
        assertThat(ms).isLessThan(1_900);
    }

    @Test
    void postBodiesPassThroughAndUnknownPathsAre404() {
        var echoed = Http.post(url(proxy, "/echo"), "payload-123");
        assertThat(echoed.body()).isEqualTo("payload-123");
        assertThat(Http.get(url(proxy, "/nope")).statusCode()).isEqualTo(404);
        assertThat(Http.get(url(proxy, "/echo")).statusCode()).isEqualTo(405);
    }

    @Test
    void adminPortServesHealthReadinessAndMetrics() {
        String admin = "http://127.0.0.1:" + service.adminAddress().getPort();
        Http.get(url(service, "/hello/m"));
        assertThat(Http.get(admin + "/healthz").statusCode()).isEqualTo(200);
        assertThat(Http.get(admin + "/readyz").statusCode()).isEqualTo(200);
        var metrics = Http.get(admin + "/metrics");
        assertThat(metrics.body()).contains("requestflow_requests_seconds_count").contains("hop=\"svc\"");
    }

    @Test
    void malformedRequestGets400AndTheListenerKeepsServing() throws Exception {
        try (var socket = new java.net.Socket("127.0.0.1", proxy.address().getPort())) {
            socket.setSoTimeout(3000);
            socket.getOutputStream().write("GARBAGE\u0001 / HTTP/9.9\r\nx\r\n\r\n".getBytes());
            String answer = new String(socket.getInputStream().readAllBytes());
            assertThat(answer).startsWith("HTTP/1.1 400");
        }
        assertThat(Http.get(url(proxy, "/hello/again")).statusCode()).isEqualTo(200);
    }
}
