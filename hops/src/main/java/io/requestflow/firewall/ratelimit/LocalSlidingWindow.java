package io.requestflow.firewall.ratelimit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** The sliding window in this process only: the fallback when Redis is down, bounded in clients. */
public final class LocalSlidingWindow implements RateLimiter {
    private final RateLimitConfig config;
    private final ConcurrentHashMap<String, long[]> clients = new ConcurrentHashMap<>();

    public LocalSlidingWindow(RateLimitConfig config) {
        this.config = config;
    }

    @Override
    public CompletableFuture<Decision> hit(String client, long nowMs) {
        return CompletableFuture.completedFuture(decide(client, nowMs));
    }

    public Decision decide(String client, long nowMs) {
        long window = nowMs / config.windowMs();
        if (clients.size() >= config.maxLocalClients() && !clients.containsKey(client)) evict(window);
        long[] counts = clients.computeIfAbsent(client, c -> new long[] {window, 0, 0});
        long current;
        long previous;
        synchronized (counts) {
            if (counts[0] != window) {
                counts[2] = counts[0] == window - 1 ? counts[1] : 0;
                counts[1] = 0;
                counts[0] = window;
            }
            current = ++counts[1];
            previous = counts[2];
        }
        return SlidingWindow.decide(current, previous, nowMs, config.windowMs(), config.requestsPerWindow(), "local");
    }

    /** Forget clients idle for two windows; if that frees nothing, start over rather than grow. */
    private void evict(long window) {
        clients.entrySet().removeIf(e -> e.getValue()[0] < window - 1);
        if (clients.size() >= config.maxLocalClients()) clients.clear();
    }
}
