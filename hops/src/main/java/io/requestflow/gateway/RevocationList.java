package io.requestflow.gateway;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The deny list of revoked access tokens: the auth service writes {@code revoked:jti:ID} (expiring when
 * the token would) on logout or admin revocation; the gateway refuses tokens whose {@code jti} is on it.
 * A "not revoked" answer is reused, locally, for {@code cacheMs} counted from when its lookup was sent, and
 * checks of one token while a lookup younger than that is under way share it. So every answer reflects
 * Redis as it was at most {@code cacheMs} ago: a revocation reaches every gateway within that time, even
 * when Redis is slow. "Revoked" is never reused: a revoked token is looked up again on every request.
 */
public final class RevocationList {
    public static final String PREFIX = "revoked:jti:";
    static final int MAX_ENTRIES = 50_000;

    /** Whether a token is revoked; {@code UNKNOWN} when Redis cannot be asked. */
    public enum Status { ACTIVE, REVOKED, UNKNOWN }

    private record Lookup(CompletableFuture<Status> status, long startedNanos) {}

    private final GatewayRedis redis;
    private final long cacheNanos;
    private final Map<String, Lookup> lookups = new ConcurrentHashMap<>();

    public RevocationList(GatewayRedis redis, long cacheMs) {
        this.redis = redis;
        this.cacheNanos = cacheMs * 1_000_000L;
    }

    /**
     * True when the answer is already here: no {@code jti}, or a "not revoked" answer younger than
     * {@code cacheMs}. Lets the caller go on without a future; anything else goes through {@link #status}.
     */
    public boolean knownActive(String jti) {
        if (jti == null) return true;
        if (cacheNanos <= 0 || !redis.usable()) return false;
        Lookup current = lookups.get(jti);
        return current != null && current.status().getNow(null) == Status.ACTIVE
                && System.nanoTime() - current.startedNanos() < cacheNanos;
    }

    public CompletableFuture<Status> status(String jti) {
        if (jti == null) return CompletableFuture.completedFuture(Status.ACTIVE);
        if (!redis.usable()) return CompletableFuture.completedFuture(Status.UNKNOWN);
        long now = System.nanoTime();
        Lookup current = lookups.get(jti);
        if (reusable(current, now)) return current.status();
        if (current == null && lookups.size() >= MAX_ENTRIES) lookups.clear();
        Lookup fresh = new Lookup(new CompletableFuture<>(), now);
        Lookup chosen = lookups.compute(jti, (k, existing) -> reusable(existing, now) ? existing : fresh);
        if (chosen != fresh) return chosen.status(); // another request started a lookup just now: share it
        redis.call(c -> c.exists(PREFIX + jti)).handle((n, error) -> {
            if (error != null) {
                redis.failed(error);
                lookups.remove(jti, fresh);
                return Status.UNKNOWN;
            }
            redis.succeeded();
            return n != null && n > 0 ? Status.REVOKED : Status.ACTIVE;
        }).thenAccept(fresh.status()::complete);
        return fresh.status();
    }

    /** A lookup sent less than {@code cacheMs} ago, still under way or answered "not revoked". */
    private boolean reusable(Lookup lookup, long now) {
        if (lookup == null || now - lookup.startedNanos() >= cacheNanos) return false;
        Status answer = lookup.status().getNow(null);
        return answer == null || answer == Status.ACTIVE;
    }
}
