package io.requestflow.engine.tls;

import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.server.HttpServer;
import io.requestflow.engine.server.ServerConfig;
import io.requestflow.engine.testing.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A TLS listener negotiates HTTP/2 or HTTP/1.1 by ALPN and hands both to the same handler. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsListenerTest {
    @TempDir
    static Path data;
    static Engine engine;
    static LocalCa ca;
    static HttpServer server;
    static SSLContext trust;

    @BeforeAll
    static void start() throws Exception {
        engine = new Engine(1, 100);
        ca = LocalCa.loadOrCreate(data.resolve("ca"));
        var tls = ServerTls.context(ca.issue(List.of("*.requestflow.test", "localhost", "127.0.0.1")));
        server = HttpServer.start("tls", new HostPort("127.0.0.1", 0), ServerConfig.defaults(), engine.group(),
                request -> CompletableFuture.completedFuture(Response.json(200, Map.of(
                        "secure", request.secure(), "path", request.path(),
                        "host", request.host(),
                        "streamHeader", String.valueOf(request.header("x-http2-stream-id"))))), () -> tls);
        trust = Http.trusting(ca.certificate());
    }

    @AfterAll
    static void stop() {
        server.close();
        engine.close();
    }

    private HttpResponse<String> get(HttpClient.Version version) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(version).sslContext(trust)
                .connectTimeout(Duration.ofSeconds(3)).build();
        // the JDK verifies the certificate against "localhost"; the certificate names it
        URI uri = URI.create("https://localhost:" + server.address().getPort() + "/p?q=1");
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void alpnPicksHttp2AndRequestsArriveSecure() throws Exception {
        HttpResponse<String> r = get(HttpClient.Version.HTTP_2);
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"secure\":true").contains("\"path\":\"/p\"")
                .contains("\"host\":\"localhost\"").contains("\"streamHeader\":\"null\"");
    }

    @Test
    void http11OverTlsWorksToo() throws Exception {
        HttpResponse<String> r = get(HttpClient.Version.HTTP_1_1);
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(r.body()).contains("\"secure\":true");
    }

    @Test
    void onlyTls13And12AreOffered() throws Exception {
        for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
            try (SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", server.address().getPort())) {
                s.setEnabledProtocols(new String[] {protocol});
                s.startHandshake();
                assertThat(s.getSession().getProtocol()).isEqualTo(protocol);
            }
        }
        try (SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", server.address().getPort())) {
            s.setSoTimeout(3000);
            s.setEnabledProtocols(new String[] {"TLSv1.1"});
            org.assertj.core.api.Assertions.assertThatThrownBy(s::startHandshake).isInstanceOf(java.io.IOException.class);
        } catch (IllegalArgumentException jdkRefusesTls11) {
            // the JDK itself may disable TLS 1.1; then there is nothing to offer
        }
    }

    @Test
    void theCaIsKeptOwnerOnlyAndReusedAcrossRestarts() throws Exception {
        LocalCa again = LocalCa.loadOrCreate(data.resolve("ca"));
        assertThat(again.certificate()).isEqualTo(ca.certificate());
        assertThat(Files.getPosixFilePermissions(data.resolve("ca").resolve(LocalCa.KEY_FILE)))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(data.resolve("ca")))
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(ca.certificate().getBasicConstraints()).isGreaterThanOrEqualTo(0);
    }
}
