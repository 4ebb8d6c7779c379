package io.requestflow.edge;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Request collapsing: the first miss for a key goes to the origin; identical misses arriving meanwhile
 * wait for it (up to a bound) and then look in the cache again instead of each asking the origin.
 */
public final class Collapser {
    private final ConcurrentHashMap<HttpCache.Key, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();
    private final long waitMs;

    public Collapser(long waitMs) {
        this.waitMs = waitMs;
    }

    /**
     * Null when the caller leads (it must call {@link #done} when its origin response is stored or
     * refused); otherwise a future that completes when the leader is done or the wait bound passes.
     */
    public CompletableFuture<Void> joinOrLead(HttpCache.Key key) {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> leader = inFlight.putIfAbsent(key, mine);
        if (leader == null) return null;
        return leader.copy().completeOnTimeout(null, waitMs, TimeUnit.MILLISECONDS);
    }

    /** The leader for {@code key} has finished; waiters look in the cache again. */
    public void done(HttpCache.Key key) {
        CompletableFuture<Void> f = inFlight.remove(key);
        if (f != null) f.complete(null);
    }

    int inFlight() {
        return inFlight.size();
    }
}
