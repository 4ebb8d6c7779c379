package io.requestflow.firewall.ratelimit;

/**
 * Per-client rate limit settings.
 *
 * @param requestsPerWindow allowed requests per client per window (seed: 1000 per minute per IP); 0 disables
 * @param windowMs          the sliding window's length
 * @param redisTimeoutMs    a Redis round trip slower than this counts as Redis being down
 * @param retryRedisMs      after a Redis failure, how long to use the local window before trying Redis again
 * @param maxLocalClients   clients the local window tracks at most (its memory bound)
 */
public record RateLimitConfig(int requestsPerWindow, long windowMs, long redisTimeoutMs, long retryRedisMs,
                              int maxLocalClients) {

    public static RateLimitConfig defaults() {
        return new RateLimitConfig(1000, 60_000, 50, 1000, 100_000);
    }

    public boolean enabled() {
        return requestsPerWindow > 0;
    }
}
