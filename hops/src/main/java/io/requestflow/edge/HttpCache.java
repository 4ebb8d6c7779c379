package io.requestflow.edge;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.requestflow.engine.http.Request;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The edge's memory store: primary key (host and target) → its stored variants. Caffeine bounds it by
 * bytes with W-TinyLFU, so a burst of one-hit wonders cannot push out what is popular; each entry weighs
 * at least {@code maxBytes / maxEntries}, which bounds the entry count with the same policy.
 * Also counts what the cache did, for {@code /metrics}.
 */
public final class HttpCache {
    /** Variants kept per URL (one per distinct value of its Vary headers); the oldest goes first. */
    static final int MAX_VARIANTS = 8;

    /**
     * The primary key: the target URI (RFC 9111 section 2), scheme included, so a response the origin
     * gave for https is never reused for http or the other way round. The port is left out: every
     * listener of an edge serves the same sites. A record, not a joined string: a hit builds no text.
     *
     * @param host   lower case, without port
     * @param target origin-form request target (path and query)
     */
    public record Key(boolean secure, String host, String target) {}

    private final Cache<Key, List<StoredResponse>> store;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder bytesSaved = new LongAdder();
    private final Counter purged;

    public HttpCache(CacheConfig config, MeterRegistry registry) {
        int floor = (int) Math.max(1, Math.min(Integer.MAX_VALUE, config.maxBytes() / config.maxEntries()));
        this.store = Caffeine.newBuilder()
                .maximumWeight(config.maxBytes())
                .weigher((Key key, List<StoredResponse> variants) -> {
                    long w = 16 + key.host().length() + key.target().length();
                    for (StoredResponse v : variants) w += v.weight();
                    return (int) Math.min(Integer.MAX_VALUE, Math.max(floor, w));
                })
                .recordStats()
                .build();
        Gauge.builder("requestflow.edge.cache.entries", store, Cache::estimatedSize)
                .description("URLs in the edge cache").register(registry);
        Gauge.builder("requestflow.edge.cache.bytes", store,
                        s -> s.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L))
                .description("Weighted bytes in the edge cache").baseUnit("bytes").register(registry);
        Gauge.builder("requestflow.edge.cache.hit.ratio", this, HttpCache::hitRatio)
                .description("Requests answered from the cache / cacheable lookups").register(registry);
        FunctionCounter.builder("requestflow.edge.cache.hits", hits, LongAdder::sum)
                .description("Requests answered from the cache (fresh, stale or revalidated)").register(registry);
        FunctionCounter.builder("requestflow.edge.cache.misses", misses, LongAdder::sum)
                .description("Cacheable lookups that went to the origin for the body").register(registry);
        FunctionCounter.builder("requestflow.edge.cache.bytes.saved", bytesSaved, LongAdder::sum)
                .description("Body bytes served from the cache instead of the origin").baseUnit("bytes").register(registry);
        FunctionCounter.builder("requestflow.edge.cache.evictions", store, s -> s.stats().evictionCount())
                .description("Entries W-TinyLFU evicted or refused to keep").register(registry);
        this.purged = Counter.builder("requestflow.edge.cache.purged")
                .description("Entries removed by purge, ban or invalidation").register(registry);
    }

    public static Key key(Request request) {
        return new Key(request.secure(), request.host(), pathOf(request.uri()));
    }

    /** The origin-form target of a request target (absolute-form loses its scheme and authority). */
    static String pathOf(String uri) {
        if (uri.startsWith("/")) return uri;
        int scheme = uri.indexOf("://");
        if (scheme < 0) return uri;
        int slash = uri.indexOf('/', scheme + 3);
        return slash < 0 ? "/" : uri.substring(slash);
    }

    /** The stored variant matching the request's Vary values, or null. */
    public StoredResponse lookup(Key key, Request request) {
        List<StoredResponse> variants = store.getIfPresent(key);
        if (variants == null) return null;
        for (StoredResponse v : variants) {
            if (VaryKey.matches(v, request)) return v;
        }
        return null;
    }

    /** Whether any variant of the URL is stored (a miss is then a Vary miss). */
    public boolean contains(Key key) {
        return store.getIfPresent(key) != null;
    }

    /** Stores {@code response}, replacing a variant with the same Vary values. */
    public void put(Key key, StoredResponse response) {
        store.asMap().compute(key, (k, old) -> {
            List<StoredResponse> next = new ArrayList<>(old == null ? 1 : old.size() + 1);
            next.add(response);
            if (old != null) {
                for (StoredResponse v : old) {
                    if (next.size() >= MAX_VARIANTS) break;
                    if (!v.varyValues().equals(response.varyValues())) next.add(v);
                }
            }
            return List.copyOf(next);
        });
    }

    /** Removes every variant of one URL; true when something was stored. */
    public boolean invalidate(Key key) {
        boolean removed = store.asMap().remove(key) != null;
        if (removed) purged.increment();
        return removed;
    }

    /**
     * Removes one URL under both schemes: a purge or an unsafe method changes the resource, whichever
     * scheme its stored copies were fetched with. Returns how many keys held something.
     */
    public int invalidateAnyScheme(String host, String target) {
        return (invalidate(new Key(false, host, target)) ? 1 : 0) + (invalidate(new Key(true, host, target)) ? 1 : 0);
    }

    /** Removes every entry carrying {@code surrogateKey}; returns how many. */
    public int purgeSurrogateKey(String surrogateKey) {
        return removeIf(v -> v.surrogateKeys().contains(surrogateKey));
    }

    /** Removes every entry whose path starts with {@code prefix}; returns how many. */
    public int banPrefix(String prefix) {
        return removeIf(v -> v.path().startsWith(prefix));
    }

    private int removeIf(java.util.function.Predicate<StoredResponse> which) {
        int n = 0;
        for (Map.Entry<Key, List<StoredResponse>> e : store.asMap().entrySet()) {
            if (e.getValue().stream().anyMatch(which) && store.asMap().remove(e.getKey(), e.getValue())) n++;
        }
        purged.increment(n);
        return n;
    }

    void hit(int bodyBytes) {
        hits.increment();
        bytesSaved.add(bodyBytes);
    }

    void miss() {
        misses.increment();
    }

    public double hitRatio() {
        long h = hits.sum();
        long total = h + misses.sum();
        return total == 0 ? 0 : (double) h / total;
    }

    /** Runs pending evictions now (Caffeine otherwise does it shortly after writes). */
    public void cleanUp() {
        store.cleanUp();
    }

    public long size() {
        return store.estimatedSize();
    }

    public Map<String, Object> stats() {
        return Map.of("entries", store.estimatedSize(),
                "bytes", store.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L),
                "hits", hits.sum(), "misses", misses.sum(), "hitRatio", hitRatio(), "bytesSaved", bytesSaved.sum(),
                "evictions", store.stats().evictionCount());
    }
}
