package io.requestflow.dns;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * How answer targets are health-checked.
 *
 * @param checkers       independent checkers per target, staggered evenly over the interval: 4 at the defaults, so
 *                       a target is probed every 7.5 s and a failure is detected in under 30 s (see
 *                       {@link #worstDetectionMs})
 * @param intervalMs     each checker checks each target this often (Route 53's standard 30 s)
 * @param fastIntervalMs the interval for answers with {@code fastCheck: true} (Route 53's fast 10 s)
 * @param timeoutMs      a check passes only with HTTP 2xx/3xx (or a TCP connect) within this time
 * @param threshold      consecutive results, across all checkers, that flip a target's state
 */
public record HealthConfig(int checkers, long intervalMs, long fastIntervalMs, long timeoutMs, int threshold) {

    public static final int DEFAULT_CHECKERS = 4;
    public static final long DEFAULT_INTERVAL_MS = 30_000;
    public static final long DEFAULT_FAST_INTERVAL_MS = 10_000;
    public static final long DEFAULT_TIMEOUT_MS = 2_000;
    public static final int DEFAULT_THRESHOLD = 3;

    public HealthConfig {
        check(checkers >= 1 && checkers <= 16, "dns.health.checkers must be 1..16, got " + checkers);
        check(intervalMs >= 50, "dns.health.intervalMs must be >= 50, got " + intervalMs);
        check(fastIntervalMs >= 50, "dns.health.fastIntervalMs must be >= 50, got " + fastIntervalMs);
        check(timeoutMs >= 1 && timeoutMs <= 60_000, "dns.health.timeoutMs must be 1..60000, got " + timeoutMs);
        check(threshold >= 1 && threshold <= 10, "dns.health.threshold must be 1..10, got " + threshold);
    }

    public static HealthConfig defaults() {
        return fromJson(null, null, null, null, null);
    }

    @JsonCreator
    static HealthConfig fromJson(@JsonProperty("checkers") Integer checkers,
                                 @JsonProperty("intervalMs") Long intervalMs,
                                 @JsonProperty("fastIntervalMs") Long fastIntervalMs,
                                 @JsonProperty("timeoutMs") Long timeoutMs,
                                 @JsonProperty("threshold") Integer threshold) {
        return new HealthConfig(Objects.requireNonNullElse(checkers, DEFAULT_CHECKERS),
                Objects.requireNonNullElse(intervalMs, DEFAULT_INTERVAL_MS),
                Objects.requireNonNullElse(fastIntervalMs, DEFAULT_FAST_INTERVAL_MS),
                Objects.requireNonNullElse(timeoutMs, DEFAULT_TIMEOUT_MS),
                Objects.requireNonNullElse(threshold, DEFAULT_THRESHOLD));
    }

    /**
     * The worst time from a target failing to the server dropping it from its answers: the checks are spread so
     * one starts every interval/checkers; the first failing one may start that long after the failure,
     * {@code threshold - 1} more follow at the same spacing, and the last may take the whole timeout. At the
     * defaults: 3 × 30 s/4 + 2 s = 24.5 s (fast: 3 × 10 s/4 + 2 s = 9.5 s). A resolver that cached the old
     * answer keeps it up to the record's TTL on top.
     */
    public long worstDetectionMs(boolean fast) {
        // rounded up: checker i starts at interval * i / checkers, so one gap may be a millisecond longer
        long spacing = Math.ceilDiv(fast ? fastIntervalMs : intervalMs, checkers);
        return threshold * spacing + timeoutMs;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
