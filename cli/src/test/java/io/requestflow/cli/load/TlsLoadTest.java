package io.requestflow.cli.load;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * https targets: the name is checked against the certificate, HTTP/2 is used when the server offers it by
 * ALPN (many requests multiplexed on one connection per source), HTTP/1.1 when it does not, and an
 * untrusted certificate is a connect error for every request, not a crash.
 */
class TlsLoadTest {

    static Scenario scenario(TlsTestServer server, boolean http2) {
        Scenario s = HonestyTest.scenario(server.port());
        // the name must match the certificate; the address comes from the literal below
        s.target = "https://" + TlsTestServer.HOST + ":" + server.port();
        s.dns = "127.0.0.1:1"; // never asked: runAt() gives the address
        s.caFile = server.caPem().toString();
        s.http2 = http2;
        s.rate = 100;
        s.durationSeconds = 1;
        s.warmupSeconds = 0;
        s.maxConnectionsPerSource = 8;
        return s;
    }

    @Test
    void http2IsMultiplexedWhenTheServerOffersIt(@TempDir Path dir) throws Exception {
        try (TlsTestServer server = new TlsTestServer(dir, true)) {
            ConcurrentLinkedQueue<Outcome> all = new ConcurrentLinkedQueue<>();
            LoadRun.Result r = new LoadRun(scenario(server, true), null, all::add).runAt("127.0.0.1");
            assertThat(r.snapshot().errorCount()).as(r.snapshot().examples().toString()).isZero();
            assertThat(r.snapshot().protocols()).containsExactly(Map.entry("h2", 100L));
            // one connection for 100 requests: streams share it (a request may wait for the first handshake)
            assertThat(r.connectionsOpened()).isLessThanOrEqualTo(2);
            assertThat(r.snapshot().edgeHits()).isEqualTo(100);
        }
    }

    @Test
    void http11WhenTheServerOffersOnlyThatOrH2IsOff(@TempDir Path dir) throws Exception {
        try (TlsTestServer server = new TlsTestServer(dir, false)) {
            LoadRun.Result r = new LoadRun(scenario(server, true), null, null).runAt("127.0.0.1");
            assertThat(r.snapshot().errorCount()).as(r.snapshot().examples().toString()).isZero();
            assertThat(r.snapshot().protocols()).containsExactly(Map.entry("h1", 100L));
        }
        try (TlsTestServer server = new TlsTestServer(java.nio.file.Files.createDirectories(dir.resolve("b")), true)) {
            // offered h2, but the scenario turns it off
            LoadRun.Result r = new LoadRun(scenario(server, false), null, null).runAt("127.0.0.1");
            assertThat(r.snapshot().protocols()).containsExactly(Map.entry("h1", 100L));
        }
    }

    @Test
    void anUntrustedCertificateIsAConnectErrorPerRequest(@TempDir Path dir) throws Exception {
        try (TlsTestServer server = new TlsTestServer(dir, true)) {
            Scenario s = scenario(server, true);
            s.caFile = null; // the project's var/ca/ca.pem does not hold the test's certificate
            s.rate = 20;
            LoadRun.Result r = new LoadRun(s, null, null).runAt("127.0.0.1");
            assertThat(r.snapshot().count()).isEqualTo(20);
            assertThat(r.snapshot().errors()).containsOnlyKeys(Outcome.Kind.CONNECT);
            assertThat(r.snapshot().examples().get(Outcome.Kind.CONNECT)).contains("TLS handshake failed");
        }
    }
}
