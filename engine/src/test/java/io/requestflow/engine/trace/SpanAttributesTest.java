package io.requestflow.engine.trace;

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
import io.requestflow.engine.testing.Http;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * At {@code tracing.sampleRatio} 1 the proxy path gives its spans the attributes it knows before they start on the
 * span builder; below 1 it sets them on the started span once it is recorded. Over real sockets, a proxy hop in
 * front of a service hop: both ways record the same attributes, in the same order, with the same values, for a
 * request with and without its own {@code X-Request-Id}, for GET and POST, and for a failed upstream call.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SpanAttributesTest {
    static final HostPort ANY = new HostPort("127.0.0.1", 0);
    final List<AutoCloseable> started = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        // the hops before the engines whose event loops their connections are on (closed after them, a hop's listener
        // closed connections on loops already gone and Netty logged a rejected notification)
        for (int i = started.size() - 1; i >= 0; i--) if (!(started.get(i) instanceof Engine)) started.get(i).close();
        for (int i = started.size() - 1; i >= 0; i--) if (started.get(i) instanceof Engine) started.get(i).close();
    }

    record Proxy(HttpHop hop, HostPort upstream) {}

    /** A proxy hop (sample ratio as given) in front of a service answering 200, or of a closed port. */
    Proxy proxy(double ratio, boolean upstreamUp) {
        Engine engine = new Engine(1, 1000, ratio);
        started.add(engine);
        HostPort upstream;
        if (upstreamUp) {
            Stage ok = (ex, next) -> Stage.answer(Response.text(201, "ok"));
            HttpHop service = hop(engine, "svc", List.of(ok));
            upstream = HostPort.of(service.address());
        } else {
            upstream = new HostPort("127.0.0.1", Http.closedPort());
        }
        HttpHop proxy = hop(engine, "proxy", List.of(new ForwardStage(
                new Forwarder(engine.hop("c", "c-1").client(ClientConfig.defaults())), upstream)));
        return new Proxy(proxy, upstream);
    }

    HttpHop hop(Engine engine, String name, List<Stage> stages) {
        HttpHop hop = HttpHop.start(engine.hop(name, name + "-1"),
                new HttpHop.Spec(ANY, ANY, ServerConfig.defaults(), 5_000), stages, AdminServer.Readiness.always(), Map.of());
        started.add(0, hop);
        return hop;
    }

    /** The proxy's spans of one trace, by name, as their attribute maps in recorded order (ids made neutral). */
    static Map<String, List<String>> proxySpans(Proxy p, String traceId, String requestId) {
        Map<String, List<String>> byName = new LinkedHashMap<>();
        for (Map<String, Object> s : p.hop().context().engine().spans().find(traceId, 100)) {
            String name = (String) s.get("name");
            if (!name.startsWith("proxy ") && !name.matches("(GET|POST) 127\\.0\\.0\\.1:\\d+")) continue;
            @SuppressWarnings("unchecked")
            Map<String, Object> attrs = (Map<String, Object>) s.get("attributes");
            List<String> described = new ArrayList<>();
            attrs.forEach((k, v) -> described.add(k + "=" + String.valueOf(v)
                    .replace(requestId, "<request id>").replace(String.valueOf(p.upstream().port()), "<port>")));
            described.add("status=" + s.get("status"));
            byName.put(name.replaceAll("\\d+$", "<port>"), described);
        }
        return byName;
    }

    /** One request through a proxy; returns its proxy spans. A sampled traceparent makes every ratio record it. */
    static Map<String, List<String>> record(Proxy p, String method, String traceId, String ownRequestId) {
        String url = "http://127.0.0.1:" + p.hop().address().getPort() + "/a/b?q=1";
        List<String> headers = new ArrayList<>(List.of("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01"));
        if (ownRequestId != null) headers.addAll(List.of("x-request-id", ownRequestId));
        var response = Http.send(method, url, method.equals("POST") ? "body" : null, headers.toArray(String[]::new));
        String requestId = response.headers().firstValue("x-request-id").orElseThrow();
        if (ownRequestId != null) assertThat(requestId).isEqualTo(ownRequestId);
        else assertThat(requestId).isEqualTo(traceId);
        return proxySpans(p, traceId, requestId);
    }

    @Test
    void builderAttributesAtRatioOneMatchAttributesSetAfterStart() {
        Proxy early = proxy(1, true);
        Proxy late = proxy(0.5, true);
        int n = 0;
        for (String method : List.of("GET", "POST")) {
            for (String ownId : new String[] {null, "req-42"}) {
                String t1 = String.format("%032x", 0x1000 + n), t2 = String.format("%032x", 0x2000 + n++);
                Map<String, List<String>> a = record(early, method, t1, ownId);
                Map<String, List<String>> b = record(late, method, t2, ownId);
                assertThat(a).as("%s, own request id %s", method, ownId).hasSize(2).isEqualTo(b);
                assertThat(a.get("proxy " + method)).containsExactly("http.request.method=" + method,
                        "url.path=/a/b", "requestflow.request_id=<request id>", "http.response.status_code=201",
                        "status=UNSET");
                assertThat(a.get(method + " 127.0.0.1:<port>")).containsExactly("server.address=127.0.0.1",
                        "server.port=<port>", "http.response.status_code=201", "status=UNSET");
            }
        }
    }

    @Test
    void aFailedCallRecordsTheSameBothWays() {
        Proxy early = proxy(1, false);
        Proxy late = proxy(0.5, false);
        Map<String, List<String>> a = record(early, "GET", String.format("%032x", 0x3001), null);
        Map<String, List<String>> b = record(late, "GET", String.format("%032x", 0x3002), null);
        assertThat(a).hasSize(2).isEqualTo(b);
        assertThat(a.get("GET 127.0.0.1:<port>")).containsExactly("server.address=127.0.0.1", "server.port=<port>",
                "status=ERROR");
        assertThat(a.get("proxy GET")).contains("http.response.status_code=502", "status=ERROR");
    }
}
