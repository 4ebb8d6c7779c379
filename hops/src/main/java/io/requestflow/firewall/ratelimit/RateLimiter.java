package io.requestflow.firewall.ratelimit;

import java.util.concurrent.CompletableFuture;

/** Counts a client's request and says whether it is within the limit. */
public interface RateLimiter extends AutoCloseable {
    CompletableFuture<Decision> hit(String client, long nowMs);

    @Override
    default void close() {}
}
