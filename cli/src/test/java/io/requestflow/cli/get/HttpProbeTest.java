package io.requestflow.cli.get;

import io.requestflow.engine.net.Transport;
import io.requestflow.engine.testing.Http;
import io.requestflow.engine.trace.ServerTiming;
import io.netty.channel.EventLoopGroup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HttpProbeTest {
    static TestPath path;
    static HttpProbe probe;

    @BeforeAll
    static void start() {
        path = new TestPath();
        probe = new HttpProbe();
    }

    @AfterAll
    static void stop() {
        probe.close();
        path.close();
    }

    @Test
    void resolvesThroughTheProjectDnsAndReturnsStatusBodyHopsAndTimings() throws Exception {
        ProbeResult r = probe.call(path.get(path.url("/api/products/42")));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.reason()).isEqualTo("OK");
        assertThat(r.protocol()).isEqualTo("HTTP/1.1");
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.bodyText()).contains("\"id\":\"42\"").contains("Kindle Paperwhite");
        assertThat(r.address()).isEqualTo(new InetSocketAddress("127.0.0.1", path.edgePort()));
        assertThat(r.dnsServer()).isEqualTo(path.dnsAddress());
        assertThat(r.hops()).extracting(ServerTiming.Entry::name)
                .containsExactly("edge", "catalog", "redis", "postgres");
        assertThat(r.hops().get(0).durMs()).isGreaterThanOrEqualTo(r.hops().get(1).durMs());
        assertThat(r.hops().get(2).desc()).isEqualTo("miss");

        ProbeTimings t = r.timings();
        assertThat(t.dnsMs()).isNotNull().isGreaterThanOrEqualTo(0);
        assertThat(t.connectMs()).isGreaterThanOrEqualTo(0);
        assertThat(t.tlsMs()).isNull();
        assertThat(t.ttfbMs()).isGreaterThanOrEqualTo(0);
        assertThat(t.totalMs()).isGreaterThanOrEqualTo(t.dnsMs() + t.connectMs() + t.ttfbMs());
        // the client waited at least as long as the hops say they worked
        assertThat(t.ttfbMs()).isGreaterThanOrEqualTo(r.hops().getFirst().durMs());
    }

    @Test
    void sendsHostWithThePortUserAgentAndAcceptAndLetsHeadersReplaceThem() throws Exception {
        ProbeResult r = probe.call(path.get(path.url("/api/seen")).withHeader("X-Test", "yes"));
        assertThat(r.bodyText())
                .contains("\"host\":\"" + TestPath.HOST + ":" + path.edgePort() + "\"")
                .contains("\"user-agent\":\"requestflow-get/0.1\"")
                .contains("\"accept\":\"*/*\"")
                .contains("\"x-test\":\"yes\"");

        ProbeResult replaced = probe.call(path.get(path.url("/api/seen")).withHeader("Accept", "application/json"));
        assertThat(replaced.bodyText()).contains("\"accept\":\"application/json\"");
    }

    @Test
    void ipLiteralsSkipDns() throws Exception {
        ProbeResult r = probe.call(path.get("http://127.0.0.1:" + path.edgePort() + "/api/products/1"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.dnsServer()).isNull();
        assertThat(r.timings().dnsMs()).isNull();
    }

    @Test
    void postsABody() throws Exception {
        ProbeRequest post = path.get(path.url("/echo")).withMethod("POST")
                .withHeader("Content-Type", "text/plain").withBody("hello, hops".getBytes(StandardCharsets.UTF_8));
        ProbeResult r = probe.call(post);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo("hello, hops");
    }

    @Test
    void errorStatusesAreResultsNotFailures() throws Exception {
        ProbeResult r = probe.call(path.get(path.url("/nope")));
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.header("content-type")).isEqualTo("application/problem+json");
        assertThat(r.hops()).extracting(ServerTiming.Entry::name).containsExactly("edge", "catalog");
    }

    @Test
    void refusedPortSaysSo() {
        int closed = Http.closedPort();
        ProbeException e = catchThrowableOfType(ProbeException.class,
                () -> probe.call(path.get("http://127.0.0.1:" + closed + "/")));
        assertThat(e.phase()).isEqualTo(ProbeException.Phase.CONNECT);
        assertThat(e.getMessage()).isEqualTo("connection refused by 127.0.0.1:" + closed
                + " - is `./flow up` running?");
    }

    @Test
    void unknownNameIsNxdomain() {
        ProbeException e = catchThrowableOfType(ProbeException.class,
                () -> probe.call(path.get("http://nope.requestflow.test:" + path.edgePort() + "/")));
        assertThat(e.phase()).isEqualTo(ProbeException.Phase.DNS);
        assertThat(e.getMessage()).isEqualTo("nope.requestflow.test did not resolve via DNS 127.0.0.1:"
                + path.dnsAddress().getPort() + " (NXDOMAIN). Is `./flow up` running?");
    }

    @Test
    void silentDnsTimesOut() {
        long start = System.nanoTime();
        ProbeException e = catchThrowableOfType(ProbeException.class, () -> probe.call(
                path.get("http://" + TestPath.SILENT_HOST + "/").withTimeoutMs(300)));
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(3_000);
        assertThat(e.phase()).isEqualTo(ProbeException.Phase.DNS);
        assertThat(e.timedOut()).isTrue();
        assertThat(e.getMessage()).contains("did not answer for " + TestPath.SILENT_HOST + " within 300 ms");
    }

    @Test
    void serverThatNeverAnswersTimesOut() throws Exception {
        List<Socket> accepted = new ArrayList<>();
        try (ServerSocket mute = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    accepted.add(mute.accept());
                } catch (Exception ignored) {
                    // closed at the end of the test
                }
            });
            ProbeException e = catchThrowableOfType(ProbeException.class, () -> probe.call(
                    path.get("http://127.0.0.1:" + mute.getLocalPort() + "/").withTimeoutMs(300)));
            assertThat(e.phase()).isEqualTo(ProbeException.Phase.HTTP);
            assertThat(e.timedOut()).isTrue();
            assertThat(e.getMessage()).isEqualTo("127.0.0.1:" + mute.getLocalPort()
                    + " took the request but sent no response within 300 ms (--timeout)");
            acceptor.join(1_000);
        } finally {
            for (Socket s : accepted) s.close();
        }
    }

    @Test
    void oversizedResponsesFailInsteadOfFillingMemory() {
        assertThatThrownBy(() -> probe.call(path.get(path.url("/big")).withMaxResponseBytes(1_000)))
                .isInstanceOf(ProbeException.class)
                .hasMessageContaining("is larger than the 1000 bytes limit (Content-Length: 5000)");
    }

    @Test
    void httpsTimesTheHandshakeAndTrustsTheDeploymentCa(@TempDir Path dir) throws Exception {
        EventLoopGroup group = Transport.newGroup("test-probe", 1);
        try (TestTlsServer tls = new TestTlsServer(dir);
             HttpProbe trusting = new HttpProbe(group, tls.caPem());
             HttpProbe systemOnly = new HttpProbe(group, dir.resolve("absent.pem"))) {
            String url = "https://" + TestTlsServer.HOST + ":" + tls.port() + "/";
            ProbeResult r = trusting.call(path.get(url));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).contains("\"host\":\"" + TestTlsServer.HOST + ":" + tls.port() + "\"");
            assertThat(r.timings().tlsMs()).isNotNull().isGreaterThan(0);
            assertThat(r.timings().dnsMs()).isNotNull();

            ProbeException untrusted = catchThrowableOfType(ProbeException.class,
                    () -> systemOnly.call(path.get(url)));
            assertThat(untrusted.phase()).isEqualTo(ProbeException.Phase.TLS);
            assertThat(untrusted.getMessage()).startsWith("TLS handshake with " + TestTlsServer.HOST
                    + " (127.0.0.1:" + tls.port() + ") failed: its certificate is not signed by a CA");

            ProbeException wrongName = catchThrowableOfType(ProbeException.class, () -> trusting.call(
                    path.get("https://other.requestflow.test:" + tls.port() + "/")));
            assertThat(wrongName.getMessage()).endsWith("its certificate is not valid for other.requestflow.test");

            ProbeException plain = catchThrowableOfType(ProbeException.class, () -> trusting.call(
                    path.get("https://127.0.0.1:" + path.edgePort() + "/")));
            assertThat(plain.getMessage()).isEqualTo("127.0.0.1:" + path.edgePort()
                    + " did not answer in TLS; is it a plain http:// port?");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
    }
}
