package io.requestflow.edge;

import io.requestflow.engine.http.Request;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;

import java.net.URI;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * After an unsafe method (POST, PUT, DELETE, PATCH, …) succeeds, the stored responses for its URL and for
 * the URLs in {@code Location} and {@code Content-Location} are dropped, those on the same host only
 * (RFC 9111 section 4.4), under both schemes: the resource changed, whichever scheme it was stored under.
 */
public final class InvalidationStage implements Stage {
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    private final HttpCache cache;

    public InvalidationStage(HttpCache cache) {
        this.cache = cache;
    }

    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        Request request = exchange.request();
        if (SAFE.contains(request.method())) return next.proceed(exchange);
        return next.proceed(exchange).thenApply(response -> {
            if (response.status() < 400) {
                cache.invalidateAnyScheme(request.host(), HttpCache.pathOf(request.uri()));
                invalidateReference(request, response.headers().get("location"));
                invalidateReference(request, response.headers().get("content-location"));
            }
            return response;
        });
    }

    private void invalidateReference(Request request, String reference) {
        if (reference == null || reference.isBlank()) return;
        try {
            URI uri = URI.create(reference.trim());
            if (uri.isAbsolute()) {
                if (uri.getHost() == null || !uri.getHost().equalsIgnoreCase(request.host())) return; // other hosts: never
            } else if (!reference.startsWith("/")) {
                uri = URI.create(HttpCache.pathOf(request.uri())).resolve(uri);
            }
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            cache.invalidateAnyScheme(request.host(), path + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
        } catch (IllegalArgumentException malformed) {
            // a reference the origin got wrong invalidates nothing
        }
    }
}
