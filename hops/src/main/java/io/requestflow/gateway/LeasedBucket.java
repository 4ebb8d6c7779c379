package io.requestflow.gateway;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One bucket's tokens on this instance, leased from the shared bucket in Redis ({@link RedisTokenLeases}).
 * A take is answered locally while the lease has tokens and has not expired; otherwise the takers wait
 * for one Redis call shared by all of them (never one call per request), which gives back what the last
 * lease left unused and takes about as many tokens as this instance used over the last lease's life
 * (at least enough for the waiting takers, at most {@code maxLeaseTokens} and a tenth of the burst). When Redis says the bucket
 * is empty, takes are refused locally until the next token is due, so a flood of refused requests
 * does not become a flood of Redis calls.
 */
final class LeasedBucket {
    /** Takers waiting for one call, at most; more are refused (a memory bound, not a policy). */
    static final int MAX_WAITERS = 10_000;
    /**
     * A lease takes at most this fraction of the burst: while leased, a token cannot be refilled (see
     * {@link RedisTokenLeases}), so small leases keep the bucket's refill going for everyone else.
     */
    static final long BURST_SHARE = 10;

    /** What a take got. {@code remaining} is approximate (see {@link #remainingHint}); {@code error} set when Redis failed. */
    record Result(boolean allowed, long remaining, long waitNanos, Throwable error) {}

    /** Asks Redis for tokens: {@code (want, giveBack)} → grant. */
    interface Source {
        CompletableFuture<RedisTokenLeases.Grant> take(long want, long giveBack);
    }

    private final Source source;
    private final long leaseNanos;
    private final long maxLeaseTokens;
    private final long burst;
    private final ArrayDeque<CompletableFuture<Result>> waiters = new ArrayDeque<>();
    private long tokens;
    private long expiresAt;
    private long emptyUntil;
    private boolean calling;
    private long lastRemaining;
    // rate estimate: takes seen since the last call, and that call's time
    private long takesSinceCall;
    private long lastCallAt;
    private double takesPerNano;

    LeasedBucket(Source source, long burst, long leaseNanos, long maxLeaseTokens) {
        this.source = source;
        this.burst = burst;
        this.leaseNanos = leaseNanos;
        this.maxLeaseTokens = Math.max(1, Math.min(maxLeaseTokens, burst / BURST_SHARE));
        this.lastRemaining = burst;
        long now = System.nanoTime();
        this.expiresAt = now;
        this.emptyUntil = now;
        this.lastCallAt = now;
    }

    CompletableFuture<Result> take() {
        CompletableFuture<Result> waiter;
        long want;
        long giveBack;
        long sentAt;
        synchronized (this) {
            long now = System.nanoTime();
            takesSinceCall++;
            if (tokens > 0 && now - expiresAt < 0) {
                tokens--;
                return CompletableFuture.completedFuture(new Result(true, remainingHint(), 0, null));
            }
            if (now - emptyUntil < 0) return CompletableFuture.completedFuture(new Result(false, 0, emptyUntil - now, null));
            if (waiters.size() >= MAX_WAITERS) return CompletableFuture.completedFuture(new Result(false, 0, 1_000_000_000L, null));
            waiter = new CompletableFuture<>();
            waiters.add(waiter);
            if (calling) return waiter;
            calling = true;
            sentAt = now;
            want = leaseSize(now);
            giveBack = tokens; // an expired lease's leftover
            tokens = 0;
        }
        call(want, giveBack, sentAt);
        return waiter;
    }

    private void call(long want, long giveBack, long sentAt) {
        source.take(want, giveBack).whenComplete((grant, error) -> done(grant, error, want, sentAt));
    }

    private void done(RedisTokenLeases.Grant grant, Throwable error, long want, long sentAt) {
        List<CompletableFuture<Result>> allowed = new ArrayList<>();
        List<CompletableFuture<Result>> refused = new ArrayList<>();
        Result refusal;
        long again = 0;
        long againAt = 0;
        synchronized (this) {
            if (error != null) {
                refusal = new Result(false, 0, 0, error);
                refused.addAll(waiters);
                waiters.clear();
                calling = false;
            } else {
                long left = grant.granted();
                while (left > 0 && !waiters.isEmpty()) {
                    allowed.add(waiters.poll());
                    left--;
                }
                tokens = left;
                // the lease is valid from before Redis took the tokens, so it ends no later than Redis thinks
                expiresAt = sentAt + leaseNanos;
                lastRemaining = grant.remaining();
                refusal = new Result(false, 0, grant.waitNanos(), null);
                if (!waiters.isEmpty()) {
                    if (grant.granted() < want) { // the bucket ran dry: the rest are refused
                        emptyUntil = System.nanoTime() + grant.waitNanos();
                        refused.addAll(waiters);
                        waiters.clear();
                    } else { // the lease was too small for everyone waiting: ask again
                        againAt = System.nanoTime();
                        again = Math.min(maxLeaseTokens, Math.max(leaseSize(againAt), waiters.size()));
                    }
                }
                if (again == 0) calling = false;
            }
        }
        Result ok = new Result(true, remainingHint(), 0, null);
        for (CompletableFuture<Result> w : allowed) w.complete(ok);
        for (CompletableFuture<Result> w : refused) w.complete(refusal);
        if (again > 0) call(again, 0, againAt);
    }

    /** Tokens for the next lease: this instance's recent rate × the lease time, within [waiting takers, max]. */
    private long leaseSize(long now) {
        long elapsed = now - lastCallAt;
        if (elapsed > 0) {
            double observed = (double) takesSinceCall / elapsed;
            // a call soon after the last says little on its own: weigh it by how much of a lease it covers
            double weight = Math.min(1.0, (double) elapsed / leaseNanos);
            takesPerNano = takesPerNano * (1 - weight) + observed * weight;
        }
        takesSinceCall = 0;
        lastCallAt = now;
        long size = (long) Math.ceil(takesPerNano * leaseNanos);
        return Math.min(maxLeaseTokens, Math.max(Math.max(1, size), waiters.size()));
    }

    /**
     * RateLimit-Remaining: what Redis had left at this instance's last call plus the tokens this instance
     * still holds. Approximate: other instances' takes and the refill since that call are not seen.
     */
    private synchronized long remainingHint() {
        return Math.min(burst, lastRemaining + tokens);
    }
}
