package io.requestflow.edge;

import io.requestflow.engine.http.Request;
import io.requestflow.engine.http.Response;

import java.util.Set;

/**
 * Whether a shared cache may store a response (RFC 9111 section 3), answered as the reason it may not,
 * which also becomes the {@code detail} of the Cache-Status field.
 */
public final class Storability {
    /** Final statuses this cache understands; anything else (206, 1xx, unknown codes) is passed through. */
    static final Set<Integer> UNDERSTOOD = Set.of(200, 203, 204, 300, 301, 302, 307, 308, 400, 403, 404, 405, 410,
            414, 500, 501, 502, 503, 504);

    private final int maxObjectBytes;

    public Storability(int maxObjectBytes) {
        this.maxObjectBytes = maxObjectBytes;
    }

    /** Null when the response may be stored; otherwise why not. */
    public String whyNot(Request request, CacheControl requestCc, Response response, CacheControl cc,
                         long lifetimeSeconds) {
        if (!"GET".equals(request.method())) return "method";
        if (!UNDERSTOOD.contains(response.status())) return "status";
        if (requestCc.has("no-store") || cc.has("no-store")) return "no-store";
        // A qualified private="field" is treated like plain private: never storing is always safe.
        if (cc.has("private")) return "private";
        if (request.headers().contains("authorization")
                && !(cc.has("public") || cc.has("must-revalidate") || cc.has("s-maxage"))) {
            return "authorization";
        }
        // A response that sets a cookie is personal whatever its Cache-Control says.
        if (response.headers().contains("set-cookie")) return "set-cookie";
        if (VaryKey.varyStar(response.headers())) return "vary-star";
        if (response.headers().contains("content-range")) return "partial";
        if (response.body().length > maxObjectBytes) return "too-large";
        boolean explicit = Freshness.explicit(response.headers(), cc);
        if (!explicit && !cc.has("public") && !Freshness.HEURISTIC.contains(response.status())) return "status";
        boolean validator = response.headers().contains("etag") || response.headers().contains("last-modified");
        if (lifetimeSeconds <= 0 && !validator) return "not-fresh";
        return null;
    }
}
