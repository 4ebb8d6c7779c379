package io.requestflow.edge;

import io.netty.handler.codec.http.HttpHeaders;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.http.Response;

import java.util.Set;

/**
 * Conditional revalidation (RFC 9111 section 4.3): the request the edge sends to check a stored response,
 * and how a 304 refreshes it (its header fields replace the stored ones, except those that describe the
 * body or this one message).
 */
public final class Revalidation {
    private static final Set<String> NOT_UPDATED = Set.of("content-length", "content-encoding", "content-range",
            "transfer-encoding", "server-timing", "x-request-id", "age");

    private Revalidation() {}

    /** A GET for the same target with the stored validators, whatever the client's own conditionals were. */
    public static Request conditional(Request original, StoredResponse stored) {
        HttpHeaders h = original.headers().copy();
        h.remove("if-none-match").remove("if-modified-since").remove("if-match").remove("if-unmodified-since")
                .remove("if-range").remove("range");
        String etag = stored.headers().get("etag");
        String lastModified = stored.headers().get("last-modified");
        if (etag != null) h.set("if-none-match", etag);
        if (lastModified != null) h.set("if-modified-since", lastModified);
        return new Request("GET", original.uri(), h, new byte[0], original.remote(), original.secure());
    }

    /** The stored response's headers updated from a 304. */
    public static HttpHeaders merged(StoredResponse stored, Response notModified) {
        HttpHeaders h = stored.headers().copy();
        for (String name : notModified.headers().names()) {
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            if (NOT_UPDATED.contains(lower)) continue;
            h.set(lower, notModified.headers().getAll(name));
        }
        return h;
    }
}
