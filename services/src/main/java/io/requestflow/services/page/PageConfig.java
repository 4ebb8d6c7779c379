package io.requestflow.services.page;

/**
 * The product page's fan-out settings (config section {@code services.page}).
 *
 * @param catalogTimeoutMs         per-call timeout for the product (required part; default 1,000)
 * @param inventoryTimeoutMs       per-call timeout for stock (default 300)
 * @param reviewsTimeoutMs         per-call timeout for reviews (default 300)
 * @param recommendationsTimeoutMs per-call timeout for recommendations (default 200)
 * @param breaker                  circuit breaker per part (seed: 50% of 10 calls, 30 s open, 5 probes)
 * @param bulkheadMaxConcurrent    calls in flight per part; more fail fast as degraded (default 64)
 */
public record PageConfig(long catalogTimeoutMs, long inventoryTimeoutMs, long reviewsTimeoutMs,
                         long recommendationsTimeoutMs, Breaker breaker, int bulkheadMaxConcurrent) {

    /**
     * @param failureRatePercent   opens at this share of failed calls (default 50)
     * @param minCalls             judged only once the window holds at least this many calls (default 10)
     * @param windowSeconds        the window: calls of the last this many seconds (default 10). A window of
     *                             time, not of the last N calls: at thousands of calls a second, ten calls
     *                             are a few milliseconds, and one stall would open the circuit for 30 s
     * @param openMs               stays open this long, failing fast (default 30,000)
     * @param halfOpenCalls        probe calls let through when half-open; all must mostly succeed to close (default 5)
     */
    public record Breaker(int failureRatePercent, int minCalls, int windowSeconds, long openMs, int halfOpenCalls) {
        public static Breaker defaults() {
            return new Breaker(50, 10, 10, 30_000, 5);
        }
    }

    public static PageConfig defaults() {
        return new PageConfig(1_000, 300, 300, 200, Breaker.defaults(), 64);
    }
}
