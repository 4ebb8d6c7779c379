package io.requestflow.edge;

import io.requestflow.engine.client.UpstreamClient;
import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.server.RequestHandler;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Cache control on the edge's admin port. {@code POST /cache/purge?url=URL} drops one URL,
 * {@code POST /cache/purge?key=K} every response tagged {@code Surrogate-Key: K}, {@code POST
 * /cache/ban?prefix=/path} every stored path under the prefix; {@code GET /cache} shows the counters.
 * A purge or ban is applied here and then sent to each configured peer (with {@code local=1}, so it
 * does not travel further); the answer lists each peer's outcome.
 */
public final class CacheAdmin {
    /** A peer that does not answer within this is reported as failed; the local purge stands. */
    static final long PEER_TIMEOUT_MS = 2_000;

    private final HttpCache cache;
    /** The configured peers, and those {@link #addPeers} added (edges started beside this one). */
    private volatile List<HostPort> peers;
    private final UpstreamClient client;

    public CacheAdmin(HttpCache cache, List<String> peers, UpstreamClient client) {
        this.cache = cache;
        this.peers = peers.stream().map(HostPort::parse).toList();
        this.client = client;
    }

    /** More edges a purge or ban reaches, known only once they are listening (each at most once). */
    public synchronized void addPeers(List<HostPort> more) {
        List<HostPort> all = new ArrayList<>(peers);
        for (HostPort p : more) if (!all.contains(p)) all.add(p);
        peers = List.copyOf(all);
    }

    public Map<String, RequestHandler> routes() {
        return Map.of(
                "/cache", r -> CompletableFuture.completedFuture(Response.json(200, cache.stats())),
                "/cache/purge", this::purge,
                "/cache/ban", this::ban);
    }

    private CompletableFuture<Response> purge(Request r) {
        if (!r.method().equals("POST")) return done(methodNotAllowed());
        String url = r.query("url");
        String key = r.query("key");
        if ((url == null) == (key == null)) {
            return done(Problem.badRequest("purge needs exactly one of url=URL or key=SURROGATE_KEY"));
        }
        int removed;
        if (url != null) {
            HttpCache.Key cacheKey = keyOf(url);
            if (cacheKey == null) return done(Problem.badRequest("url must be absolute, like https://shop.requestflow.test/api/products/42"));
            removed = cache.invalidateAnyScheme(cacheKey.host(), cacheKey.target());
        } else {
            removed = cache.purgeSurrogateKey(key);
        }
        return fanOut(r, removed);
    }

    private CompletableFuture<Response> ban(Request r) {
        if (!r.method().equals("POST")) return done(methodNotAllowed());
        String prefix = r.query("prefix");
        if (prefix == null || !prefix.startsWith("/")) return done(Problem.badRequest("ban needs prefix=/path"));
        return fanOut(r, cache.banPrefix(prefix));
    }

    /** An absolute URL as the cache keys it (purges take it under both schemes). */
    static HttpCache.Key keyOf(String url) {
        try {
            URI u = URI.create(url.trim());
            if (u.getHost() == null) return null;
            String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
            return new HttpCache.Key("https".equalsIgnoreCase(u.getScheme()), u.getHost().toLowerCase(java.util.Locale.ROOT),
                    path + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery()));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private CompletableFuture<Response> fanOut(Request r, int removed) {
        List<HostPort> peers = this.peers;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("removed", removed);
        if ("1".equals(r.query("local")) || peers.isEmpty()) {
            body.put("peers", Map.of());
            return done(Response.json(200, body));
        }
        String target = r.uri() + (r.uri().contains("?") ? "&" : "?") + "local=1";
        Map<String, String> outcomes = new LinkedHashMap<>();
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        for (HostPort peer : peers) {
            Request out = Request.of("POST", target);
            out.headers().set("host", peer.toString());
            calls.add(client.send(peer, out, PEER_TIMEOUT_MS).handle((resp, error) -> {
                synchronized (outcomes) {
                    outcomes.put(peer.toString(), error != null ? "failed: " + error.getMessage()
                            : resp.status() == 200 ? "ok" : "HTTP " + resp.status());
                }
                return null;
            }));
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenApply(v -> {
            synchronized (outcomes) {
                body.put("peers", Map.copyOf(outcomes));
            }
            boolean allOk = outcomes.values().stream().allMatch("ok"::equals);
            return Response.json(allOk ? 200 : 502, body);
        });
    }

    private static Response methodNotAllowed() {
        return Problem.of(405, "Method Not Allowed", "purge and ban change state: use POST").header("allow", "POST");
    }

    private static CompletableFuture<Response> done(Response r) {
        return CompletableFuture.completedFuture(r);
    }
}
