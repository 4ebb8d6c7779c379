package io.requestflow.services.cache;

/**
 * How a service caches (config section {@code services.<name>.cache}).
 *
 * @param negativeTtlSeconds how long "does not exist" is remembered in Redis (default 30)
 * @param nearMaxEntries     in-process near-cache size (default 10,000; 0 turns it off)
 * @param nearTtlMs          how long a near-cache entry is trusted without asking Redis (default 2,000)
 * @param earlyRefreshBeta   probabilistic early refresh: 0 off, 1 the usual (default 1.0)
 * @param lockTtlMs          cross-instance loader lock in Redis (default 5,000)
 * @param lockWaitMs         how long a caller waits for another instance's load before loading itself (default 1,000)
 * @param maxConcurrentLoads loads from PostgreSQL at once per instance, Redis up or down (default 8)
 * @param loadWaitMs         how long a load waits for one of those slots (503 after it; default 2,000)
 * @param writeFenceMs       after a write invalidates a key, loads of it read the primary for this long, on every
 *                           instance, so a lagging replica cannot put the old value back (default 5,000; 0 off)
 */
public record CacheConfig(long negativeTtlSeconds, int nearMaxEntries, long nearTtlMs, double earlyRefreshBeta,
                          long lockTtlMs, long lockWaitMs, int maxConcurrentLoads, long loadWaitMs,
                          long writeFenceMs) {

    public static CacheConfig defaults() {
        return new CacheConfig(30, 10_000, 2_000, 1.0, 5_000, 1_000, 8, 2_000, 5_000);
    }

    public CacheConfig {
        if (maxConcurrentLoads < 1) throw new IllegalArgumentException("cache.maxConcurrentLoads must be >= 1");
        if (negativeTtlSeconds < 1) throw new IllegalArgumentException("cache.negativeTtlSeconds must be >= 1");
        if (writeFenceMs < 0) throw new IllegalArgumentException("cache.writeFenceMs must be >= 0 (0 turns it off)");
    }
}
