package io.requestflow.gateway;

import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Response;

import java.util.Map;

/**
 * The {@code RateLimit-*} headers (IETF httpapi-ratelimit-headers) and the 429 that carries them with
 * {@code Retry-After}.
 */
final class RateLimitHeaders {
    private RateLimitHeaders() {}

    static void add(Response response, Throttler.Decision d) {
        response.headers().set("ratelimit-limit", d.limit());
        response.headers().set("ratelimit-remaining", d.remaining());
        response.headers().set("ratelimit-reset", d.resetSeconds());
    }

    static Response tooMany(String detail, Throttler.Decision d, String requestId) {
        Response r = Problem.of(429, "Too Many Requests", detail, Map.of("requestId", requestId));
        add(r, d);
        r.headers().set("retry-after", d.retryAfterSeconds());
        return r;
    }

    static Response unavailable(String requestId) {
        Response r = Problem.of(503, "Service Unavailable",
                "gateway: rate limits cannot be checked right now (fail-closed)", Map.of("requestId", requestId));
        r.headers().set("retry-after", 1);
        return r;
    }
}
