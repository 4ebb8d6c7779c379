package io.requestflow.firewall.ratelimit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Redis first, the local window when Redis fails or is slow. Connecting happens on a virtual thread,
 * never on the request path; after a failure Redis is left alone for {@code retryRedisMs}, so a dead
 * Redis costs one timeout per retry period, not one per request.
 */
public final class FallbackRateLimiter implements RateLimiter {
    private static final Logger LOG = LoggerFactory.getLogger(FallbackRateLimiter.class);

    private final RateLimitConfig config;
    private final Supplier<RateLimiter> connect;
    private final LocalSlidingWindow local;
    private final AtomicLong redisBackoffUntil = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean connecting = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile RateLimiter redis;

    /** @param connect opens the Redis limiter (may throw when Redis is down); null for local only */
    public FallbackRateLimiter(RateLimitConfig config, Supplier<RateLimiter> connect) {
        this.config = config;
        this.connect = connect;
        this.local = new LocalSlidingWindow(config);
        redisIfUsable(System.currentTimeMillis()); // connect now, in the background
    }

    @Override
    public CompletableFuture<Decision> hit(String client, long nowMs) {
        RateLimiter shared = redisIfUsable(nowMs);
        if (shared == null) return local.hit(client, nowMs);
        return shared.hit(client, nowMs).handle((d, error) -> {
            if (error == null) return d;
            fail(nowMs, error);
            return local.decide(client, nowMs);
        });
    }

    /** True once the Redis connection is up and not backing off. */
    public boolean shared() {
        return redis != null && System.currentTimeMillis() >= redisBackoffUntil.get();
    }

    /** Redis when connected; otherwise null, with a connection attempt started off the request path. */
    private RateLimiter redisIfUsable(long nowMs) {
        if (connect == null || nowMs < redisBackoffUntil.get()) return null;
        RateLimiter r = redis;
        if (r == null && connecting.compareAndSet(false, true)) {
            Thread.ofVirtual().name("firewall-redis-connect").start(() -> {
                try {
                    redis = connect.get();
                    LOG.info("firewall: rate limit shared through Redis");
                } catch (RuntimeException e) {
                    fail(System.currentTimeMillis(), e);
                } finally {
                    connecting.set(false);
                }
            });
        }
        return r;
    }

    private void fail(long nowMs, Throwable error) {
        if (redisBackoffUntil.getAndSet(nowMs + config.retryRedisMs()) < nowMs) {
            LOG.warn("firewall: Redis unavailable for the rate limit ({}); counting locally for {} ms",
                    rootMessage(error), config.retryRedisMs());
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) t = t.getCause();
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    @Override
    public void close() {
        RateLimiter r = redis;
        if (r != null) r.close();
    }
}
