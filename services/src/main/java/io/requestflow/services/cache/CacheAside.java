package io.requestflow.services.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.requestflow.engine.http.HttpError;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.services.RedisCache;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Cache-aside over Redis with what makes it safe under load:
 * <ul>
 * <li>a near-cache (Caffeine) in front of Redis, dropped across instances through Redis pub/sub; it only
 *     keeps what Redis confirmed, so deleting the Redis key and publishing is a complete invalidation;</li>
 * <li>negative caching: "not found" is remembered too, so a missing id cannot hammer PostgreSQL;</li>
 * <li>single flight: one load per key per instance at a time (the others wait for it), and a Redis lock
 *     so instances do not all load the same cold key;</li>
 * <li>probabilistic early refresh (XFetch): one caller reloads a hot key shortly before it expires while
 *     the rest keep getting the cached value;</li>
 * <li>a bound on concurrent loads, so Redis going away does not become a thundering herd on PostgreSQL;</li>
 * <li>a write fence: invalidating a key after a write leaves a short-lived fence in its place in Redis (in
 *     this instance only, when Redis cannot take it), and a miss on a fenced key loads from the primary, so a
 *     reader that reaches a lagging replica just after the write cannot cache the old value for a whole TTL;</li>
 * <li>fills are compare-and-set: a load stores its result only if the key still holds what was read
 *     before the load began, so a load already in flight when a write lands (its fence is a new value,
 *     each fence unique) cannot put the old value back over the fence.</li>
 * </ul>
 * Entries in Redis are {@code V|N|F : expiresAtMillis : loadMillis : payload} (F: a fence until expiresAt,
 * its payload a nonce).
 */
public final class CacheAside {
    public static final String INVALIDATION_CHANNEL = "requestflow:cache:invalidate";

    /** Produces the value from the source of truth; null means "does not exist". */
    @FunctionalInterface
    public interface Loader {
        String load();
    }

    private record Entry(char kind, long expiresAtMillis, long loadMillis, String payload) {
        static final char VALUE = 'V', NOT_FOUND = 'N', FENCE = 'F';

        static Entry fence(long expiresAtMillis) {
            // the nonce makes every fence a new value, which is what fails the fill of a load begun before it
            return new Entry(FENCE, expiresAtMillis, 0, Long.toHexString(ThreadLocalRandom.current().nextLong()));
        }

        boolean present() {
            return kind == VALUE;
        }

        boolean fence() {
            return kind == FENCE;
        }

        String encode() {
            return kind + ":" + expiresAtMillis + ":" + loadMillis + ":" + (payload == null ? "" : payload);
        }

        static Entry decode(String raw) {
            int a = raw.indexOf(':');
            int b = raw.indexOf(':', a + 1);
            int c = raw.indexOf(':', b + 1);
            if (a != 1 || b < 0 || c < 0) return null;
            try {
                char kind = raw.charAt(0);
                if (kind != VALUE && kind != NOT_FOUND && kind != FENCE) return null;
                return new Entry(kind, Long.parseLong(raw.substring(a + 1, b)), Long.parseLong(raw.substring(b + 1, c)),
                        kind == VALUE ? raw.substring(c + 1) : null);
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    private final RedisCache redis;
    private final CacheConfig config;
    private final Cache<String, Entry> near;
    private final Map<String, CompletableFuture<Entry>> flights = new ConcurrentHashMap<>();
    private final Semaphore loads;
    /** This instance's fences, for when Redis could not take one (used on a Redis miss). */
    private final Cache<String, Boolean> fences;
    private final Counter loadCounter;
    private volatile boolean subscribed;
    private volatile long nextSubscribeNanos;

    public CacheAside(RedisCache redis, CacheConfig config, MeterRegistry registry) {
        this.redis = redis;
        this.config = config;
        this.near = config.nearMaxEntries() > 0
                ? Caffeine.newBuilder().maximumSize(config.nearMaxEntries())
                        .expireAfterWrite(config.nearTtlMs(), TimeUnit.MILLISECONDS).build()
                : null;
        this.loads = new Semaphore(config.maxConcurrentLoads());
        this.fences = Caffeine.newBuilder().maximumSize(100_000)
                .expireAfterWrite(Math.max(1, config.writeFenceMs()), TimeUnit.MILLISECONDS).build();
        this.loadCounter = Counter.builder("requestflow.cache.loads")
                .description("Loads from the source of truth after a cache miss").register(registry);
        subscribeIfNeeded();
    }

    /**
     * The near-cache is only used while subscribed to invalidations; without Redis at start-up, retried
     * at most every few seconds. Messages published while the link was down are lost, so a reconnect
     * forgets everything.
     */
    private boolean subscribeIfNeeded() {
        if (near == null) return false;
        if (subscribed) return true;
        long now = System.nanoTime();
        if (now < nextSubscribeNanos) return false;
        synchronized (this) {
            if (subscribed || System.nanoTime() < nextSubscribeNanos) return subscribed;
            subscribed = redis.subscribe(INVALIDATION_CHANNEL, near::invalidate, near::invalidateAll);
            nextSubscribeNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            return subscribed;
        }
    }

    /** The cached payload for {@code key}, loading it on a miss; null if the loader said it does not exist. */
    public String get(Exchange ex, String key, long ttlSeconds, Loader loader) {
        long now = System.currentTimeMillis();
        boolean useNear = subscribeIfNeeded();
        if (useNear) {
            Entry e = near.getIfPresent(key);
            if (e != null && e.expiresAtMillis() > now) {
                ex.recordCall("near-cache", 0, "hit");
                return e.payload();
            }
        }
        RedisCache.Read read = redis.read(ex, key);
        Entry cached = read.value() == null ? null : Entry.decode(read.value());
        if (cached != null ? cached.fence() : fences.getIfPresent(key) != null) {
            ex.recordCall("write-fence", 0, "primary");
            Entry loaded = single(ex, key, ttlSeconds, primaryOnly(ex, loader), read, true);
            if (read.available()) fences.invalidate(key); // Redis holds the fresh value now
            return loaded.payload();
        }
        if (cached != null && cached.expiresAtMillis() > now) {
            if (cached.present() && refreshEarly(cached, now) && !flights.containsKey(key)) {
                // This caller won the draw: reload now; everyone else keeps using the cached value.
                return single(ex, key, ttlSeconds, loader, read, false).payload();
            }
            if (useNear) near.put(key, cached);
            return cached.payload();
        }
        return single(ex, key, ttlSeconds, loader, read, true).payload();
    }

    /**
     * Drops {@code keys} from Redis and from every instance's near-cache, after a write changed them: each
     * becomes a fence for {@code writeFenceMs}, so the next load of it reads the primary.
     */
    public void invalidate(String... keys) {
        long fenceMs = config.writeFenceMs();
        if (fenceMs > 0) {
            for (String key : keys) {
                if (!redis.overwrite(key, Entry.fence(System.currentTimeMillis() + fenceMs).encode(), fenceMs)) {
                    fences.put(key, Boolean.TRUE);
                    redis.delete(key);
                }
            }
        } else {
            redis.delete(keys);
        }
        for (String key : keys) {
            if (near != null) near.invalidate(key);
            redis.publish(INVALIDATION_CHANNEL, key);
        }
    }

    /** The loader, run with this exchange's reads sent to the primary. */
    private static Loader primaryOnly(Exchange ex, Loader loader) {
        return () -> {
            ex.attribute(io.requestflow.services.ReadRouter.PRIMARY_ONLY, Boolean.TRUE);
            try {
                return loader.load();
            } finally {
                ex.attribute(io.requestflow.services.ReadRouter.PRIMARY_ONLY, Boolean.FALSE);
            }
        };
    }

    /** XFetch: refresh with a probability that rises as expiry nears, scaled by how long a load takes. */
    private boolean refreshEarly(Entry e, long now) {
        if (config.earlyRefreshBeta() <= 0) return false;
        double gap = -Math.max(1, e.loadMillis()) * config.earlyRefreshBeta()
                * Math.log(ThreadLocalRandom.current().nextDouble(Double.MIN_VALUE, 1.0));
        return now + gap >= e.expiresAtMillis();
    }

    /** {@code seen}: this caller's last read of the key, which the fill expects to find unchanged. */
    private Entry single(Exchange ex, String key, long ttlSeconds, Loader loader, RedisCache.Read seen, boolean waitForPeers) {
        CompletableFuture<Entry> mine = new CompletableFuture<>();
        CompletableFuture<Entry> running = flights.putIfAbsent(key, mine);
        if (running != null) {
            ex.recordCall("single-flight", 0, "wait");
            return await(running);
        }
        try {
            Entry entry = loadOnce(ex, key, ttlSeconds, loader, seen, waitForPeers);
            mine.complete(entry);
            return entry;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            flights.remove(key, mine);
        }
    }

    private Entry loadOnce(Exchange ex, String key, long ttlSeconds, Loader loader, RedisCache.Read seen, boolean waitForPeers) {
        boolean redisUp = seen.available();
        if (redisUp && waitForPeers) {
            // a flight that finished between our miss and our turn has already filled Redis: use it
            seen = redis.read(ex, key);
            Entry filled = fresh(seen);
            if (filled != null) return filled;
            redisUp = seen.available();
        }
        String lock = "lock:" + key;
        boolean locked = redisUp && redis.tryLock(lock, config.lockTtlMs());
        if (redisUp && !locked && waitForPeers) {
            RedisCache.Read fromPeer = waitForPeer(ex, key);
            if (fromPeer != null) {
                Entry e = fresh(fromPeer);
                if (e != null) return e;
                seen = fromPeer;
            }
        }
        try {
            // read before the load: a write that lands during it changes the key, and the fill is refused
            String expected = seen.value();
            Entry entry = load(key, ttlSeconds, loader);
            if (redisUp) {
                long ttl = entry.present() ? ttlSeconds : config.negativeTtlSeconds();
                redis.fill(ex, key, expected, entry.encode(), ttl);
            }
            return entry;
        } finally {
            if (locked) redis.delete(lock);
        }
    }

    /**
     * Another instance holds the loader lock: poll Redis briefly for its result. The last read (with a
     * fresh entry if the peer stored one), or null if Redis failed or the wait was interrupted.
     */
    private RedisCache.Read waitForPeer(Exchange ex, String key) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.lockWaitMs());
        RedisCache.Read last = null;
        while (System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            last = redis.read(ex, key);
            if (!last.available()) return null;
            if (fresh(last) != null) return last;
        }
        return last;
    }

    /** The entry a read found, when it is there and not expired; null otherwise. */
    private static Entry fresh(RedisCache.Read read) {
        Entry e = read.value() == null ? null : Entry.decode(read.value());
        return e != null && !e.fence() && e.expiresAtMillis() > System.currentTimeMillis() ? e : null;
    }

    private Entry load(String key, long ttlSeconds, Loader loader) {
        boolean acquired;
        try {
            acquired = loads.tryAcquire(config.loadWaitMs(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            acquired = false;
        }
        if (!acquired) {
            throw new HttpError(503, "Service Unavailable", "too many loads from the database at once"
                    + " (cache.maxConcurrentLoads=" + config.maxConcurrentLoads() + "); try again shortly");
        }
        try {
            long start = System.currentTimeMillis();
            loadCounter.increment();
            String payload = loader.load();
            long end = System.currentTimeMillis();
            long ttlMillis = TimeUnit.SECONDS.toMillis(payload != null ? ttlSeconds : config.negativeTtlSeconds());
            return new Entry(payload != null ? Entry.VALUE : Entry.NOT_FOUND, end + ttlMillis, end - start, payload);
        } finally {
            loads.release();
        }
    }

    private Entry await(CompletableFuture<Entry> running) {
        try {
            return running.get(config.loadWaitMs() + config.lockWaitMs(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new HttpError(503, "Service Unavailable", "the load this request waited for took too long");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpError(503, "Service Unavailable", "interrupted while waiting for a load");
        }
    }
}
