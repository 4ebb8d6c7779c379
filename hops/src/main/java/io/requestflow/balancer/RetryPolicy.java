package io.requestflow.balancer;

import io.requestflow.engine.client.UpstreamException;
import io.requestflow.engine.http.Request;

import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Which failed attempts may be tried again, and after how long. A failure before anything was sent
 * (refused, connect timeout) is always safe to retry; after the request went out (reset, timeout,
 * 502/503/504) only idempotent methods or requests the client marked retryable are retried, since
 * a POST may already have taken effect.
 */
final class RetryPolicy {
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");

    private final BalancerConfig.Retry config;

    RetryPolicy(BalancerConfig.Retry config) {
        this.config = config;
    }

    int maxRetries() {
        return config.maxRetries();
    }

    long perTryTimeoutMs() {
        return config.perTryTimeoutMs();
    }

    boolean safeAfterSent(Request request) {
        return IDEMPOTENT.contains(request.method()) || "true".equalsIgnoreCase(request.header(config.retryableHeader()));
    }

    /** Whether an attempt that failed with {@code error} may be retried. */
    boolean retryable(Request request, Throwable error) {
        if (!(error instanceof UpstreamException ue)) return false;
        if (ue.nothingSent()) return true;
        return switch (ue.kind()) {
            case RESET, TIMEOUT -> safeAfterSent(request);
            default -> false;
        };
    }

    /** Whether an attempt answered with {@code status} may be retried. */
    boolean retryable(Request request, int status) {
        return (status == 502 || status == 503 || status == 504) && safeAfterSent(request);
    }

    /** Full-jitter exponential backoff: random in [0, min(max, base * 2^(retry-1))]. */
    long backoffMs(int retry) {
        long ceiling = Math.min(config.backoffMaxMs(), config.backoffBaseMs() << Math.min(20, retry - 1));
        return ceiling <= 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1);
    }
}
