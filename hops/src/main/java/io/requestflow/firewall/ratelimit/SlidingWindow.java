package io.requestflow.firewall.ratelimit;

/**
 * The sliding-window counter: the count of the current fixed window plus the previous window's count
 * weighted by how much of it still overlaps the sliding window. Two counters per client, the same
 * arithmetic locally and in Redis.
 */
final class SlidingWindow {
    private SlidingWindow() {}

    static Decision decide(long current, long previous, long nowMs, long windowMs, int limit, String source) {
        double elapsed = (double) (nowMs % windowMs) / windowMs;
        double estimate = previous * (1 - elapsed) + current;
        if (estimate <= limit) return new Decision(true, estimate, limit, 0, source);
        long untilNextWindowMs = windowMs - nowMs % windowMs;
        long retryMs;
        if (current > limit) {
            retryMs = untilNextWindowMs; // the new window starts with this one's count as "previous": a floor
        } else {
            // the previous window's weight must shrink until estimate <= limit
            double needed = 1 - (limit - current) / (double) Math.max(1, previous);
            retryMs = Math.max(1, (long) (needed * windowMs) - nowMs % windowMs);
        }
        return new Decision(false, estimate, limit, Math.max(1, (retryMs + 999) / 1000), source);
    }
}
