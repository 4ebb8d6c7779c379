package io.requestflow.firewall;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.Cidr;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Pipeline;
import io.requestflow.engine.pipeline.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FirewallStagesTest {
    static Engine engine;
    static Pipeline pipeline;

    @BeforeAll
    static void build() {
        engine = new Engine(1, 10);
        pipeline = new Pipeline(List.of(
                new ClientAddressStage(Cidr.parseAll(List.of("10.0.0.1/32"))),
                new DenyListStage(Cidr.parseAll(List.of("192.0.2.0/24", "2001:db8::/32"))),
                new BodySizeStage(100),
                (ex, next) -> Stage.answer(Response.text(200, "passed"))));
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    static int status(String peer, Map<String, String> headers, int bodyBytes) {
        var h = new DefaultHttpHeaders();
        headers.forEach(h::set);
        Request request = new Request("POST", "/x", h, new byte[bodyBytes], new InetSocketAddress(peer, 40000));
        var ctx = engine.hop("firewall", "fw-test");
        var span = ctx.tracing().startServer("t", h);
        return pipeline.execute(new Exchange(request, "firewall", "id", span, ctx.tracing())).join().status();
    }

    @Test
    void deniesIpv4AndIpv6RangesFromThePeer() {
        assertThat(status("192.0.2.9", Map.of(), 0)).isEqualTo(403);
        assertThat(status("2001:db8::5", Map.of(), 0)).isEqualTo(403);
        assertThat(status("198.51.100.1", Map.of(), 0)).isEqualTo(200);
    }

    @Test
    void believesForwardedForOnlyFromTrustedProxiesAndOnlyItsLastEntry() {
        assertThat(status("10.0.0.1", Map.of("X-Forwarded-For", "192.0.2.7"), 0)).isEqualTo(403);
        assertThat(status("10.0.0.1", Map.of("X-Forwarded-For", "192.0.2.7, 198.51.100.1"), 0)).isEqualTo(200);
        assertThat(status("10.0.0.2", Map.of("X-Forwarded-For", "192.0.2.7"), 0)).isEqualTo(200);
        assertThat(status("10.0.0.1", Map.of("X-Forwarded-For", "not-an-ip"), 0)).isEqualTo(400);
    }

    @Test
    void bodyOverTheLimitIs413ByBytesOrDeclaredLength() {
        assertThat(status("198.51.100.1", Map.of(), 100)).isEqualTo(200);
        assertThat(status("198.51.100.1", Map.of(), 101)).isEqualTo(413);
        assertThat(status("198.51.100.1", Map.of("Content-Length", "5000"), 0)).isEqualTo(413);
    }

    @Test
    void cidrParsingRejectsNonsenseWithAClearMessage() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33"))
                .hasMessageContaining("prefix must be between 0 and 32");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Cidr.parse("example.com/8"))
                .hasMessageContaining("not a CIDR range");
    }
}
