package io.requestflow.edge;

import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.testing.Http;
import io.requestflow.engine.tls.LocalCa;
import io.requestflow.engine.tls.ServerTls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import static io.requestflow.edge.EdgeFixture.header;
import static io.requestflow.edge.EdgeFixture.text;
import static org.assertj.core.api.Assertions.assertThat;

/** Collapsing, compression, purge and ban, storage bounds, metrics and TLS at the edge, over real sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EdgeControlTest {
    static EdgeFixture f;

    @BeforeAll
    static void start() {
        f = new EdgeFixture(CacheConfig.defaults());
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    @Test
    void aHundredConcurrentFirstRequestsReachTheOriginOnce() throws Exception {
        f.scripts.put("/popular", r -> CompletableFuture.supplyAsync(
                () -> EdgeFixture.response(200, "popular", "cache-control", "max-age=60"),
                CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS)));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            all.add(client.sendAsync(HttpRequest.newBuilder(URI.create(f.base() + "/popular"))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (var r : all) {
            HttpResponse<String> reply = r.get(20, TimeUnit.SECONDS);
            assertThat(reply.statusCode()).isEqualTo(200);
            assertThat(reply.body()).isEqualTo("popular");
        }
        assertThat(f.originCount("/popular")).isEqualTo(1);
        assertThat(all.stream().map(CompletableFuture::join)
                .filter(r -> r.headers().firstValue("cache-status").orElse("").contains("collapsed")).count())
                .isPositive();
    }

    @Test
    void collapsedRequestsStopWaitingAfterTheBoundAndAskTheOriginThemselves() throws Exception {
        try (EdgeFixture quick = new EdgeFixture(new CacheConfig(true, 1 << 20, 100, 1 << 20, 100, 86_400, 256,
                List.of()))) {
            quick.scripts.put("/slow", r -> CompletableFuture.supplyAsync(
                    () -> EdgeFixture.response(200, "slow", "cache-control", "max-age=60"),
                    CompletableFuture.delayedExecutor(1_000, TimeUnit.MILLISECONDS)));
            var first = CompletableFuture.supplyAsync(() -> quick.get("/slow"));
            Thread.sleep(100);
            long start = System.nanoTime();
            HttpResponse<byte[]> second = quick.get("/slow");
            assertThat(second.statusCode()).isEqualTo(200);
            assertThat(first.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(quick.originCount("/slow")).isEqualTo(2); // the second gave up waiting after 100 ms
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(3_000);
        }
    }

    @Test
    void gzipIsNegotiatedAndComputedOnce() throws Exception {
        String body = "{\"name\":\"" + "a product description ".repeat(60) + "\"}";
        f.script("/json", 200, body, "content-type", "application/json", "cache-control", "max-age=60",
                "etag", "\"j1\"");
        HttpResponse<byte[]> plain = f.get("/json");
        assertThat(header(plain, "content-encoding")).isNull();
        assertThat(text(plain)).isEqualTo(body);
        assertThat(header(plain, "vary")).isEqualTo("Accept-Encoding");
        HttpResponse<byte[]> gz = f.get("/json", "accept-encoding", "br;q=1, gzip;q=0.5");
        assertThat(header(gz, "content-encoding")).isEqualTo("gzip");
        assertThat(header(gz, "etag")).isEqualTo("W/\"j1\"");
        assertThat(header(gz, "x-cache")).isEqualTo("HIT");
        assertThat(gz.body().length).isLessThan(body.length() / 4);
        assertThat(new String(new GZIPInputStream(new ByteArrayInputStream(gz.body())).readAllBytes(),
                StandardCharsets.UTF_8)).isEqualTo(body);
        assertThat(header(f.get("/json", "accept-encoding", "gzip;q=0"), "content-encoding")).isNull();
        assertThat(f.originCount("/json")).isEqualTo(1);
        // responses the cache does not keep are compressed on the way out
        f.script("/private-json", 200, body, "content-type", "application/json", "cache-control", "private");
        assertThat(header(f.get("/private-json", "accept-encoding", "gzip"), "content-encoding")).isEqualTo("gzip");
        // small or already-compressed bodies are left alone
        f.script("/png", 200, "x".repeat(1000), "content-type", "image/png", "cache-control", "max-age=60");
        assertThat(header(f.get("/png", "accept-encoding", "gzip"), "content-encoding")).isNull();
    }

    @Test
    void purgeByUrlBySurrogateKeyAndBanByPrefixThroughTheAdminPort() {
        f.script("/p/1", 200, "1", "cache-control", "max-age=600", "surrogate-key", "product-1 products");
        f.script("/p/2", 200, "2", "cache-control", "max-age=600", "surrogate-key", "product-2 products");
        f.script("/q/1", 200, "3", "cache-control", "max-age=600");
        for (String p : List.of("/p/1", "/p/2", "/q/1")) f.get(p);
        assertThat(header(f.get("/p/1"), "surrogate-key")).isNull(); // for the edge, not for clients

        HttpResponse<byte[]> purged = EdgeFixture.send("POST", f.admin() + "/cache/purge?url="
                + "http://127.0.0.1/p/1");
        assertThat(purged.statusCode()).isEqualTo(200);
        assertThat(text(purged)).contains("\"removed\":1");
        assertThat(header(f.get("/p/1"), "x-cache")).isEqualTo("MISS");
        assertThat(header(f.get("/p/2"), "x-cache")).isEqualTo("HIT");

        assertThat(text(EdgeFixture.send("POST", f.admin() + "/cache/purge?key=products"))).contains("\"removed\":2");
        assertThat(header(f.get("/p/2"), "x-cache")).isEqualTo("MISS");
        assertThat(header(f.get("/q/1"), "x-cache")).isEqualTo("HIT");

        assertThat(text(EdgeFixture.send("POST", f.admin() + "/cache/ban?prefix=/q/"))).contains("\"removed\":1");
        assertThat(header(f.get("/q/1"), "x-cache")).isEqualTo("MISS");

        assertThat(EdgeFixture.send("GET", f.admin() + "/cache/purge?key=x").statusCode()).isEqualTo(405);
        assertThat(EdgeFixture.send("POST", f.admin() + "/cache/purge").statusCode()).isEqualTo(400);
        assertThat(EdgeFixture.send("POST", f.admin() + "/cache/ban?prefix=nope").statusCode()).isEqualTo(400);
    }

    @Test
    void aPurgeReachesEveryConfiguredPeer() {
        try (EdgeFixture peer = new EdgeFixture(CacheConfig.defaults());
             EdgeFixture front = new EdgeFixture(CacheConfig.defaults().withPeers(List.of(
                     HostPort.of(peer.edge.adminAddress()).toString())))) {
            peer.script("/shared", 200, "s", "cache-control", "max-age=600");
            front.script("/shared", 200, "s", "cache-control", "max-age=600");
            peer.get("/shared");
            front.get("/shared");
            HttpResponse<byte[]> r = EdgeFixture.send("POST", front.admin() + "/cache/ban?prefix=/shared");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(text(r)).contains("\"ok\"");
            assertThat(header(peer.get("/shared"), "x-cache")).isEqualTo("MISS");
            assertThat(header(front.get("/shared"), "x-cache")).isEqualTo("MISS");
        }
    }

    @Test
    void aPeerThatIsDownIsNamedAndTheLocalPurgeStands() {
        int closed = Http.closedPort();
        try (EdgeFixture front = new EdgeFixture(CacheConfig.defaults().withPeers(List.of("127.0.0.1:" + closed)))) {
            front.script("/alone", 200, "a", "cache-control", "max-age=600");
            front.get("/alone");
            HttpResponse<byte[]> r = EdgeFixture.send("POST", front.admin() + "/cache/purge?url=http://127.0.0.1/alone");
            assertThat(r.statusCode()).isEqualTo(502);
            assertThat(text(r)).contains("\"removed\":1").contains("127.0.0.1:" + closed).contains("failed");
            assertThat(header(front.get("/alone"), "x-cache")).isEqualTo("MISS");
        }
    }

    @Test
    void theStoreIsBoundedByBytesAndEntries() {
        try (EdgeFixture small = new EdgeFixture(CacheConfig.defaults().withMaxBytes(64 * 1024, 10))) {
            small.script("/big", 200, "b".repeat(100 * 1024), "cache-control", "max-age=600");
            small.get("/big");
            assertThat(header(small.get("/big"), "x-cache")).isEqualTo("MISS"); // larger than the whole store
            for (int i = 0; i < 50; i++) {
                small.script("/e/" + i, 200, "e", "cache-control", "max-age=600");
                small.get("/e/" + i);
            }
            small.edgeHop.cache().cleanUp();
            assertThat(small.edgeHop.cache().size()).isLessThanOrEqualTo(10);
        }
    }

    @Test
    void metricsReportHitRatioAndBytesSaved() {
        f.script("/m", 200, "0123456789", "cache-control", "max-age=600");
        f.get("/m");
        f.get("/m");
        String metrics = text(EdgeFixture.send("GET", f.admin() + "/metrics"));
        assertThat(metrics).contains("requestflow_edge_cache_hit_ratio").contains("requestflow_edge_cache_bytes_saved")
                .contains("requestflow_edge_cache_entries").contains("requestflow_edge_cache_evictions");
        assertThat(text(EdgeFixture.send("GET", f.admin() + "/cache"))).contains("\"hitRatio\"");
    }

    @Test
    void overTlsTheOriginHearsHttpsAndHttp2ClientsGetCacheHits(@TempDir Path dir) throws Exception {
        LocalCa ca = LocalCa.loadOrCreate(dir.resolve("ca"));
        try (EdgeFixture tls = new EdgeFixture(CacheConfig.defaults())) {
            tls.edge.withTls(EdgeFixture.ANY, ServerTls.context(ca.issue(List.of("localhost", "127.0.0.1"))));
            tls.script("/secure", 200, "s", "cache-control", "max-age=60");
            var ssl = Http.trusting(ca.certificate());
            HttpClient client = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_2).build();
            URI uri = URI.create("https://localhost:" + tls.edge.tlsAddress().getPort() + "/secure");
            HttpRequest req = HttpRequest.newBuilder(uri).header("x-host-override", "1").build();
            // the edge serves localhost only when configured: this fixture's hosts are 127.0.0.1 and the shop
            HttpResponse<String> refused = client.send(req, HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(421);
            URI byIp = URI.create("https://127.0.0.1:" + tls.edge.tlsAddress().getPort() + "/secure");
            HttpResponse<String> first = client.send(HttpRequest.newBuilder(byIp).build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> second = client.send(HttpRequest.newBuilder(byIp).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(second.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(second.headers().firstValue("x-cache")).hasValue("HIT");
            assertThat(tls.lastAtOrigin("/secure").header("x-forwarded-proto")).isEqualTo("https");
        }
    }

    @Test
    void theSchemeIsPartOfTheCacheKeyAndAPurgeTakesBoth(@TempDir Path dir) throws Exception {
        LocalCa ca = LocalCa.loadOrCreate(dir.resolve("ca"));
        try (EdgeFixture tls = new EdgeFixture(CacheConfig.defaults())) {
            tls.edge.withTls(EdgeFixture.ANY, ServerTls.context(ca.issue(List.of("localhost", "127.0.0.1"))));
            // the origin's answer depends on the scheme the viewer used, as a redirect to https would
            tls.script("/scheme", r -> EdgeFixture.response(200, r.header("x-forwarded-proto"), "cache-control", "max-age=60"));
            HttpClient client = HttpClient.newBuilder().sslContext(trusting(ca)).version(HttpClient.Version.HTTP_1_1).build();
            URI https = URI.create("https://127.0.0.1:" + tls.edge.tlsAddress().getPort() + "/scheme");
            String http = tls.base() + "/scheme";
            assertThat(text(EdgeFixture.send("GET", http))).isEqualTo("http");
            HttpResponse<String> first = client.send(HttpRequest.newBuilder(https).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(first.body()).isEqualTo("https");
            assertThat(first.headers().firstValue("x-cache")).hasValue("MISS");
            HttpResponse<String> again = client.send(HttpRequest.newBuilder(https).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(again.body()).isEqualTo("https");
            assertThat(again.headers().firstValue("x-cache")).hasValue("HIT");
            HttpResponse<byte[]> plain = EdgeFixture.send("GET", http);
            assertThat(text(plain)).isEqualTo("http");
            assertThat(header(plain, "x-cache")).isEqualTo("HIT");
            assertThat(tls.originCount("/scheme")).isEqualTo(2);
            assertThat(text(EdgeFixture.send("POST", tls.admin() + "/cache/purge?url=https://127.0.0.1/scheme")))
                    .contains("\"removed\":2");
            assertThat(header(EdgeFixture.send("GET", http), "x-cache")).isEqualTo("MISS");
        }
    }

    private static javax.net.ssl.SSLContext trusting(LocalCa ca) {
        return Http.trusting(ca.certificate());
    }
}
