package io.requestflow.edge;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.requestflow.engine.admin.AdminServer;
import io.requestflow.engine.client.ClientConfig;
import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.hop.HopContext;
import io.requestflow.engine.hop.HttpHop;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.proxy.Forwarder;
import io.requestflow.engine.server.HttpServer;
import io.requestflow.engine.server.ServerConfig;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A real origin server with scripted responses, an edge hop in front of it on its own sockets, and a
 * clock the test can move forward: origin → edge → client, all over loopback.
 */
final class EdgeFixture implements AutoCloseable {
    static final HostPort ANY = new HostPort("127.0.0.1", 0);
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3)).build();

    final Engine engine = new Engine(2, 1000);
    final Map<String, Function<Request, CompletableFuture<Response>>> scripts = new ConcurrentHashMap<>();
    final Map<String, ConcurrentLinkedQueue<Request>> seen = new ConcurrentHashMap<>();
    final AtomicLong offsetMs = new AtomicLong();
    final HttpServer origin;
    final HttpHop edge;
    final EdgeHop edgeHop;

    EdgeFixture(CacheConfig cache) {
        origin = HttpServer.start("origin", ANY, ServerConfig.defaults(), engine.group(), request -> {
            seen.computeIfAbsent(request.path(), p -> new ConcurrentLinkedQueue<>()).add(request);
            var script = scripts.get(request.path());
            return script == null ? CompletableFuture.completedFuture(Response.text(404, "no script"))
                    : script.apply(request);
        });
        HopContext ctx = engine.hop("edge", "edge-test");
        var client = ctx.client(ClientConfig.defaults());
        EdgeConfig config = new EdgeConfig(List.of("127.0.0.1", "shop.requestflow.test"), cache,
                EdgeConfig.defaultCountries());
        edgeHop = new EdgeHop(config, new Forwarder(client), HostPort.of(origin.address()), ctx.registry(), client,
                () -> System.currentTimeMillis() + offsetMs.get());
        edge = HttpHop.start(ctx, new HttpHop.Spec(ANY, ANY, ServerConfig.defaults(), 10_000), edgeHop.stages(),
                AdminServer.Readiness.always(), edgeHop.adminRoutes());
    }

    /** The origin answers {@code path} with this status, body and headers (alternating name, value). */
    void script(String path, int status, String body, String... headers) {
        scripts.put(path, r -> CompletableFuture.completedFuture(response(status, body, headers)));
    }

    void script(String path, Function<Request, Response> f) {
        scripts.put(path, r -> CompletableFuture.completedFuture(f.apply(r)));
    }

    static Response response(int status, String body, String... headers) {
        HttpHeaders h = new DefaultHttpHeaders();
        h.set("content-type", "text/plain; charset=utf-8");
        for (int i = 0; i + 1 < headers.length; i += 2) {
            if (headers[i].equals("content-type")) h.set(headers[i], headers[i + 1]);
            else h.add(headers[i], headers[i + 1]);
        }
        return new Response(status, h, body.getBytes(StandardCharsets.UTF_8));
    }

    int originCount(String path) {
        var q = seen.get(path);
        return q == null ? 0 : q.size();
    }

    Request lastAtOrigin(String path) {
        Request last = null;
        for (Request r : seen.getOrDefault(path, new ConcurrentLinkedQueue<>())) last = r;
        return last;
    }

    void advanceSeconds(long s) {
        offsetMs.addAndGet(s * 1000);
    }

    String base() {
        return "http://127.0.0.1:" + edge.address().getPort();
    }

    String admin() {
        return "http://127.0.0.1:" + edge.adminAddress().getPort();
    }

    HttpResponse<byte[]> get(String path, String... headers) {
        return send("GET", base() + path, headers);
    }

    static HttpResponse<byte[]> send(String method, String url, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i + 1 < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        try {
            return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + url + ": " + e, e);
        }
    }

    static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    static String header(HttpResponse<byte[]> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    @Override
    public void close() {
        edge.close();
        origin.close();
        engine.close();
    }
}
