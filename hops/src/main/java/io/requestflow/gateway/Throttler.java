package io.requestflow.gateway;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.optimization.DelayParameters;
import io.github.bucket4j.distributed.proxy.optimization.Optimization;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets shared by every gateway instance through Redis: by default leased in small batches
 * ({@link LeasedBucket}, {@link RedisTokenLeases}: one Redis call per lease, not per request, with the
 * same upper bound as one shared bucket), or with {@code throttleLeaseMs: 0} one Bucket4j take per
 * request (exact) or per {@code throttleSyncMs} (approximate). When Redis is unreachable
 * the bucket is taken from a local per-instance map instead (fail-open: the limit then holds per
 * instance, not in total), or the request is refused when the gateway is configured fail-closed.
 */
public final class Throttler {
    /** Local buckets kept at most; beyond it the map is cleared (buckets refill anyway). */
    static final int MAX_LOCAL_BUCKETS = 100_000;

    /** The outcome of taking one token. {@code store} is {@code redis}, {@code local} or {@code none} (refused, fail-closed). */
    public record Decision(boolean allowed, long limit, long remaining, long resetSeconds, long retryAfterSeconds,
                           String store) {}

    private final GatewayRedis redis;
    private volatile AsyncProxyManager<String> buckets;
    private final Map<String, Bucket> local = new ConcurrentHashMap<>();
    /** Proxies to the shared buckets, kept so that concurrent takes on one bucket can be batched. */
    private final Map<String, AsyncBucketProxy> proxies = new ConcurrentHashMap<>();
    /** This instance's leases, by bucket (lease mode). */
    private final Map<String, LeasedBucket> leased = new ConcurrentHashMap<>();
    private final RedisTokenLeases leases;
    private final Counter leaseCalls;
    /** Each local lease holder has its own lease in Redis, so a holder dropped from the map cannot end another's. */
    private final java.util.concurrent.atomic.AtomicLong holders = new java.util.concurrent.atomic.AtomicLong();
    private final Counter allowedShared;
    private final Counter allowedLocal;
    private final Counter limited;
    private final Counter unavailable;

    /** {@code redis} null: local buckets only (one gateway instance, or no Redis configured). */
    public Throttler(GatewayRedis redis, MeterRegistry registry) {
        this.redis = redis;
        this.leases = redis == null || redis.config().throttleLeaseMs() <= 0 ? null : new RedisTokenLeases(redis);
        this.leaseCalls = Counter.builder("gateway_throttle_lease_calls_total").register(registry);
        this.allowedShared = Counter.builder("gateway_throttle_total").tag("result", "allowed").tag("store", "redis").register(registry);
        this.allowedLocal = Counter.builder("gateway_throttle_total").tag("result", "allowed").tag("store", "local").register(registry);
        this.limited = Counter.builder("gateway_throttle_total").tag("result", "limited").tag("store", "any").register(registry);
        this.unavailable = Counter.builder("gateway_throttle_total").tag("result", "unavailable").tag("store", "none").register(registry);
    }

    /**
     * Takes one token when that needs no wait for Redis: from this instance's lease of the bucket (the
     * usual case), or from the local fallback bucket while Redis is out. Null when the caller must
     * {@link #take} and wait (no lease in hand, or {@code throttleLeaseMs: 0}). Saves a future per request.
     */
    public Decision tryTakeNow(String key, long rate, long burst) {
        if (redis == null || !redis.usable()) return fallback(key, rate, burst);
        if (leases == null) return null;
        LeasedBucket.Result r = leasedBucket(key, rate, burst).tryTake();
        return r == null ? null : decide(r, key, rate, burst);
    }

    /**
     * Shows the decision in Server-Timing ({@code throttle;desc="redis"|"local"|"none"}) when it is worth
     * showing: the request waited for Redis (since {@code waitedSince}, a {@code System.nanoTime()}), or
     * something other than the shared bucket decided. A token from a lease in hand involved no call and adds
     * nothing, as on most requests.
     */
    static void recordIn(io.requestflow.engine.pipeline.Exchange exchange, Decision d, boolean waited, long waitedSince) {
        if (waited) {
            exchange.recordCall("throttle", System.nanoTime() - waitedSince, d.store());
        } else if (!d.store().equals("redis")) {
            exchange.recordCall("throttle", 0, d.store());
        }
    }

    /** Takes one token from the bucket named {@code key}, which holds {@code burst} and refills {@code rate}/s. */
    public CompletableFuture<Decision> take(String key, long rate, long burst) {
        if (redis == null || !redis.usable()) return CompletableFuture.completedFuture(fallback(key, rate, burst));
        if (leases != null) return leased(key, rate, burst);
        BucketConfiguration config = config(rate, burst);
        AsyncProxyManager<String> buckets;
        try {
            buckets = buckets();
        } catch (RuntimeException e) {
            redis.failed(e);
            return CompletableFuture.completedFuture(fallback(key, rate, burst));
        }
        if (proxies.size() >= MAX_LOCAL_BUCKETS) proxies.clear();
        AsyncBucketProxy bucket = proxies.computeIfAbsent(key, k -> buckets.builder()
                .withOptimization(optimization(rate))
                .build("rl:" + k, () -> CompletableFuture.completedFuture(config)));
        return bucket.tryConsumeAndReturnRemaining(1)
                .handle((probe, error) -> {
                    if (error != null) {
                        redis.failed(error);
                        return fallback(key, rate, burst);
                    }
                    redis.succeeded();
                    local.remove(key);
                    return decide(probe, rate, burst, "redis");
                });
    }

    private static BucketConfiguration config(long rate, long burst) {
        return BucketConfiguration.builder()
                .addLimit(limit -> limit.capacity(burst).refillGreedy(rate, Duration.ofSeconds(1)))
                .build();
    }

    private CompletableFuture<Decision> leased(String key, long rate, long burst) {
        return leasedBucket(key, rate, burst).take().thenApply(r -> decide(r, key, rate, burst));
    }

    private LeasedBucket leasedBucket(String key, long rate, long burst) {
        LeasedBucket bucket = leased.get(key);
        if (bucket != null) return bucket;
        if (leased.size() >= MAX_LOCAL_BUCKETS) leased.clear();
        long leaseNanos = redis.config().throttleLeaseMs() * 1_000_000L;
        return leased.computeIfAbsent(key, k -> {
            long holder = holders.incrementAndGet();
            return new LeasedBucket((slot, want, back) -> {
                leaseCalls.increment();
                return leases.take("rlease:" + k, rate, burst, want, back, leaseNanos, holder + ":" + slot)
                        .whenComplete((grant, error) -> {
                            if (error != null) redis.failed(error); // a background fetch fails too
                        });
            }, burst, leaseNanos, redis.config().throttleMaxLeaseTokens());
        });
    }

    private Decision decide(LeasedBucket.Result r, String key, long rate, long burst) {
        if (r.error() != null) {
            redis.failed(r.error());
            return fallback(key, rate, burst);
        }
        redis.succeeded();
        if (!local.isEmpty()) local.remove(key);
        if (r.allowed()) {
            allowedShared.increment();
            return new Decision(true, burst, r.remaining(), resetSeconds(r.remaining(), rate, burst), 0, "redis");
        }
        limited.increment();
        return new Decision(false, burst, 0, resetSeconds(0, rate, burst), Math.max(1, ceilSeconds(r.waitNanos())), "redis");
    }

    private Optimization optimization(long rate) {
        long syncMs = redis.config().throttleSyncMs();
        // exact: concurrent takes on one bucket go to Redis as one batch instead of racing compare-and-swaps
        if (syncMs <= 0) return Optimizations.batching();
        return Optimizations.delaying(new DelayParameters(Math.max(1, rate * syncMs / 1000), Duration.ofMillis(syncMs)));
    }

    /** Built on first use, once Redis has been reached (the gateway may start before Redis). */
    private AsyncProxyManager<String> buckets() {
        AsyncProxyManager<String> b = buckets;
        if (b == null) {
            synchronized (this) {
                b = buckets;
                if (b == null) {
                    b = Bucket4jLettuce.casBasedBuilder(redis.connection())
                            .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
                            .requestTimeout(Duration.ofMillis(redis.config().timeoutMs()))
                            .build().asAsync();
                    buckets = b;
                }
            }
        }
        return b;
    }

    private Decision fallback(String key, long rate, long burst) {
        if (redis != null && redis.config().failClosed()) {
            unavailable.increment();
            return new Decision(false, burst, 0, 1, Math.max(1, redis.config().retryMs() / 1000), "none");
        }
        if (local.size() >= MAX_LOCAL_BUCKETS) local.clear();
        Bucket bucket = local.computeIfAbsent(key, k -> Bucket.builder().addLimit(config(rate, burst).getBandwidths()[0]).build());
        return decide(bucket.tryConsumeAndReturnRemaining(1), rate, burst, "local");
    }

    private Decision decide(ConsumptionProbe probe, long rate, long burst, String store) {
        long remaining = Math.max(0, probe.getRemainingTokens());
        long reset = resetSeconds(remaining, rate, burst);
        if (probe.isConsumed()) {
            (store.equals("redis") ? allowedShared : allowedLocal).increment();
            return new Decision(true, burst, remaining, reset, 0, store);
        }
        limited.increment();
        return new Decision(false, burst, 0, reset, Math.max(1, ceilSeconds(probe.getNanosToWaitForRefill())), store);
    }

    /** Seconds until the bucket is full again (RateLimit-Reset), at least 1 while not full. */
    private static long resetSeconds(long remaining, long rate, long burst) {
        return remaining >= burst ? 0 : ceilSeconds((burst - remaining) * 1_000_000_000L / rate);
    }

    private static long ceilSeconds(long nanos) {
        return (nanos + 999_999_999L) / 1_000_000_000L;
    }
}
