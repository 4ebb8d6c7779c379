package io.requestflow.engine.fault;

import io.requestflow.engine.admin.AdminServer;
import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.hop.HttpHop;
import io.requestflow.engine.http.Json;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.engine.server.ServerConfig;
import io.requestflow.engine.testing.Http;
import io.requestflow.engine.trace.ServerTiming;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Faults injected over a hop's admin port (what `./flow break` sends), seen by clients of its traffic port. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultsTest {
    static final HostPort ANY = new HostPort("127.0.0.1", 0);
    static Engine engine;
    static HttpHop hop;

    @BeforeAll
    static void start() {
        engine = new Engine(2, 1000);
        hop = HttpHop.start(engine.hop("svc", "svc-1"), new HttpHop.Spec(ANY, ANY, ServerConfig.defaults(), 5_000),
                List.<Stage>of((ex, next) -> Stage.answer(Response.text(200, "fine"))), AdminServer.Readiness.always(),
                Map.of());
    }

    @AfterAll
    static void stop() {
        hop.close();
        engine.close();
    }

    @AfterEach
    void heal() {
        admin("DELETE", "");
    }

    static HttpResponse<String> admin(String method, String query) {
        return Http.send(method, "http://127.0.0.1:" + hop.adminAddress().getPort() + "/faults" + query, null);
    }

    static HttpResponse<String> traffic() {
        return Http.get("http://127.0.0.1:" + hop.address().getPort() + "/anything");
    }

    static ServerTiming.Entry ownTiming(HttpResponse<String> r) {
        return ServerTiming.parse(r.headers().firstValue("server-timing").orElseThrow()).getFirst();
    }

    @Test
    void anErrorFaultAnswersEveryRequestWithAProblemThatSaysItWasInjected() throws Exception {
        assertThat(Json.tree(admin("GET", "").body().getBytes(StandardCharsets.UTF_8)).get("fault").isNull()).isTrue();
        double before = injected("error");
        var set = admin("POST", "?errorStatus=503");
        assertThat(set.statusCode()).isEqualTo(200);
        assertThat(set.body()).contains("\"errorStatus\":503", "\"errorPercent\":100", "\"secondsLeft\":300");
        for (int i = 0; i < 5; i++) {
            var r = traffic();
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
            assertThat(r.body()).contains("Injected Fault", "./flow heal svc-1");
            assertThat(ownTiming(r).desc()).isEqualTo("fault 503");
        }
        assertThat(injected("error") - before).isEqualTo(5);

        admin("DELETE", "");
        assertThat(traffic().statusCode()).isEqualTo(200);
    }

    static double injected(String kind) {
        return hop.context().registry().get("requestflow.faults.injected").tag("kind", kind).counter().count();
    }

    @Test
    void aShareOfRequestsFailsWhenAPercentIsGiven() {
        admin("POST", "?errorStatus=500&percent=50");
        int failed = 0;
        for (int i = 0; i < 200; i++) if (traffic().statusCode() == 500) failed++;
        // 200 draws at p = 0.5: outside 60..140 happens about once in 10^8 runs
        assertThat(failed).isBetween(60, 140);
    }

    @Test
    void latencyDelaysRequestsWithoutBlockingTheEventLoop() throws Exception {
        admin("POST", "?latencyMs=300");
        var many = new java.util.ArrayList<java.util.concurrent.CompletableFuture<HttpResponse<String>>>();
        // more concurrent requests than event loops: were the delay a sleep, they would queue behind each other
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 8; i++) many.add(java.util.concurrent.CompletableFuture.supplyAsync(FaultsTest::traffic, pool));
            for (var f : many) {
                var r = f.get();
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(ownTiming(r).durMs()).isGreaterThanOrEqualTo(300);
            }
        }
    }

    @Test
    void unreadyFailsTheReadinessCheckUntilHealed() {
        String readyz = "http://127.0.0.1:" + hop.adminAddress().getPort() + "/readyz";
        admin("POST", "?unready=true");
        var r = Http.get(readyz);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("injected fault", "./flow heal svc-1");
        assertThat(traffic().statusCode()).as("traffic itself is untouched").isEqualTo(200);
        admin("DELETE", "");
        assertThat(Http.get(readyz).statusCode()).isEqualTo(200);
    }

    @Test
    void aFaultEndsByItselfWhenItsTimeIsUp() throws Exception {
        admin("POST", "?errorStatus=502&forSeconds=1");
        assertThat(traffic().statusCode()).isEqualTo(502);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (traffic().statusCode() != 200 && System.nanoTime() < deadline) Thread.sleep(100);
        assertThat(traffic().statusCode()).isEqualTo(200);
        assertThat(admin("GET", "").body()).contains("\"fault\":null");
    }

    @Test
    void aResetFaultClosesTheConnectionWithoutAnAnswer() throws Exception {
        double before = injected("reset");
        admin("POST", "?resetPercent=100");
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", hop.address().getPort())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write("GET /anything HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            // a reset (RST) rather than an answer: the read fails, or at most sees the end of the stream
            try {
                assertThat(socket.getInputStream().read()).as("no byte of an answer").isEqualTo(-1);
            } catch (java.net.SocketException reset) {
                assertThat(reset.getMessage()).containsIgnoringCase("reset");
            }
        }
        assertThat(injected("reset")).isEqualTo(before + 1);
        admin("DELETE", "");
        assertThat(traffic().statusCode()).as("healed").isEqualTo(200);
    }

    @Test
    void badPlansAreRefusedWithAProblemAndChangeNothing() {
        admin("POST", "?latencyMs=50");
        for (String query : List.of("", "?percent=150&errorStatus=500", "?errorStatus=200", "?latencyMs=-1",
                "?resetPercent=101", "?errorStatus=503&percent=60&resetPercent=60",
                "?latencyMs=abc", "?unready=maybe", "?errorStatus=503&forSeconds=0")) {
            var r = admin("POST", query);
            assertThat(r.statusCode()).as(query).isEqualTo(400);
            assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
        }
        assertThat(admin("PUT", "").statusCode()).isEqualTo(405);
        assertThat(admin("GET", "").body()).as("the plan in force is kept").contains("\"latencyMs\":50");
    }
}
