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

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code tracing.sampleRatio} over real sockets (a proxy hop in front of a service hop): a sampled
 * {@code traceparent} is always recorded, the ratio decides for requests without one, whole traces at a time,
 * and an unrecorded request still gets its request id and passes its trace context on.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SamplingTest {
    static final HostPort ANY = new HostPort("127.0.0.1", 0);
    final List<AutoCloseable> started = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) started.get(i).close();
    }

    /** A proxy hop in front of a hop that answers with the traceparent it received. */
    HttpHop proxyOnEngineWith(double ratio) {
        Engine engine = new Engine(1, 1000, ratio);
        started.add(engine);
        Stage echo = (ex, next) -> Stage.answer(Response.text(200, String.valueOf(ex.request().header("traceparent"))));
        HttpHop service = hop(engine, "svc", List.of(echo));
        return hop(engine, "proxy", List.of(new ForwardStage(
                new Forwarder(engine.hop("c", "c-1").client(ClientConfig.defaults())), HostPort.of(service.address()))));
    }

    HttpHop hop(Engine engine, String name, List<Stage> stages) {
        HttpHop hop = HttpHop.start(engine.hop(name, name + "-1"),
                new HttpHop.Spec(ANY, ANY, ServerConfig.defaults(), 5_000), stages, AdminServer.Readiness.always(), Map.of());
        started.add(0, hop); // hops close before their engine
        return hop;
    }

    static String url(HttpHop hop) {
        return "http://127.0.0.1:" + hop.address().getPort() + "/x";
    }

    static List<Map<String, Object>> spans(HttpHop hop, String traceId) {
        return hop.context().engine().spans().find(traceId, 100);
    }

    @Test
    void atRatioZeroOnlyRequestsAskingForATraceAreRecorded() {
        HttpHop proxy = proxyOnEngineWith(0);
        HttpResponse<String> plain = Http.get(url(proxy));
        assertThat(plain.statusCode()).isEqualTo(200);
        String requestId = plain.headers().firstValue("x-request-id").orElseThrow();
        assertThat(requestId).hasSize(32); // still the trace id
        // the trace context still travels on, marked unsampled (flags without bit 0), so later hops agree
        assertThat(plain.body()).startsWith("00-" + requestId + "-");
        assertThat(Integer.parseInt(plain.body().substring(53), 16) & 1).isZero();
        assertThat(spans(proxy, requestId)).isEmpty();

        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        HttpResponse<String> traced = Http.get(url(proxy), "traceparent", "00-" + traceId + "-00f067aa0ba902b7-01");
        assertThat(traced.body()).startsWith("00-" + traceId + "-").endsWith("-01");
        // a caller that decided against tracing is followed too
        String dropped = "5bf92f3577b34da6a3ce929d0e0e4737";
        Http.get(url(proxy), "traceparent", "00-" + dropped + "-00f067aa0ba902b7-00");
        assertThat(spans(proxy, dropped)).isEmpty();
        // proxy SERVER and CLIENT spans, service SERVER span: the whole trace
        assertThat(spans(proxy, traceId)).hasSize(3)
                .allSatisfy(s -> assertThat(s.get("attributes").toString()).isNotEmpty());
    }

    @Test
    void atRatioOneEveryRequestIsRecordedWhateverTheCallersFlag() {
        HttpHop proxy = proxyOnEngineWith(1);
        String plainId = Http.get(url(proxy)).headers().firstValue("x-request-id").orElseThrow();
        assertThat(spans(proxy, plainId)).hasSize(3);
        String traceId = "0af7651916cd43dd8448eb211c80319c";
        Http.get(url(proxy), "traceparent", "00-" + traceId + "-b7ad6b7169203331-00");
        assertThat(spans(proxy, traceId)).hasSize(3);
    }

    @Test
    void theCallersTraceStateTravelsOnWithTheProxysTraceparent() {
        Engine engine = new Engine(1, 1000, 1);
        started.add(engine);
        Stage echo = (ex, next) -> Stage.answer(Response.text(200, ex.request().header("traceparent") + " "
                + ex.request().header("tracestate") + " " + ex.request().header("x-request-id")));
        HttpHop service = hop(engine, "svc", List.of(echo));
        HttpHop proxy = hop(engine, "proxy", List.of(new ForwardStage(
                new Forwarder(engine.hop("c", "c-1").client(ClientConfig.defaults())), HostPort.of(service.address()))));
        String traceId = "1af7651916cd43dd8448eb211c80319d";
        // without tracestate: the flat headers (our traceparent, a new span id, the request id)
        HttpResponse<String> plain = Http.get(url(proxy), "traceparent", "00-" + traceId + "-b7ad6b7169203331-01",
                "x-request-id", "req-1");
        assertThat(plain.body()).matches("00-" + traceId + "-[0-9a-f]{16}-01 null req-1")
                .doesNotContain("b7ad6b7169203331");
        // with it: passed on as the W3C propagator writes it
        HttpResponse<String> withState = Http.get(url(proxy), "traceparent", "00-" + traceId + "-b7ad6b7169203331-01",
                "tracestate", "k=v", "x-request-id", "req-2");
        assertThat(withState.body()).matches("00-" + traceId + "-[0-9a-f]{16}-01 k=v req-2");
    }

    @Test
    void aPartialRatioKeepsOrDropsWholeTraces() {
        HttpHop proxy = proxyOnEngineWith(0.5);
        int kept = 0;
        for (int i = 0; i < 40; i++) {
            String id = Http.get(url(proxy)).headers().firstValue("x-request-id").orElseThrow();
            int n = spans(proxy, id).size();
            assertThat(n).as("spans of trace %s", id).isIn(0, 3); // never a trace with holes
            if (n == 3) kept++;
        }
        assertThat(kept).isBetween(5, 35);
    }

    @Test
    void aRatioOutsideZeroToOneIsRejected() {
        assertThatThrownBy(() -> new Engine(1, 10, 1.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tracing.sampleRatio");
        assertThatThrownBy(() -> new Engine(1, 10, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
