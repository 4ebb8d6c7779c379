package io.requestflow.gateway;

import io.netty.util.AsciiString;
import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Response;

import java.util.Map;

/**
 * The {@code RateLimit-*} headers (IETF httpapi-ratelimit-headers) and the 429 that carries them with
 * {@code Retry-After}.
 */
final class RateLimitHeaders {
    // names hashed once (they go on every throttled route's response)
    static final AsciiString LIMIT = AsciiString.cached("ratelimit-limit");
    static final AsciiString REMAINING = AsciiString.cached("ratelimit-remaining");
    static final AsciiString RESET = AsciiString.cached("ratelimit-reset");
    private static final AsciiString RETRY_AFTER = AsciiString.cached("retry-after");
    /** "0" … "999" made once (resets, small buckets' limits and what they have left), written to the wire as one copy. */
    private static final AsciiString[] SMALL = new AsciiString[1000];

    static {
        for (int i = 0; i < SMALL.length; i++) SMALL[i] = AsciiString.cached(Integer.toString(i));
    }

    private RateLimitHeaders() {}

    static void add(Response response, Throttler.Decision d) {
        response.headers().set(LIMIT, text(d.limit()));
        response.headers().set(REMAINING, text(d.remaining()));
        response.headers().set(RESET, text(d.resetSeconds()));
    }

    /** A refused take: 503 when no bucket could be asked (fail-closed), else 429 saying why. */
    static Response refused(Throttler.Decision d, String detail, String requestId) {
        return d.store().equals("none") ? unavailable(requestId) : tooMany(detail, d, requestId);
    }

    private static Response tooMany(String detail, Throttler.Decision d, String requestId) {
        Response r = Problem.of(429, "Too Many Requests", detail, Map.of("requestId", requestId));
        add(r, d);
        r.headers().set(RETRY_AFTER, text(d.retryAfterSeconds()));
        return r;
    }

    private static Response unavailable(String requestId) {
        Response r = Problem.of(503, "Service Unavailable",
                "gateway: rate limits cannot be checked right now (fail-closed)", Map.of("requestId", requestId));
        r.headers().set(RETRY_AFTER, "1");
        return r;
    }

    private static CharSequence text(long value) {
        return value >= 0 && value < SMALL.length ? SMALL[(int) value] : Long.toString(value);
    }
}
