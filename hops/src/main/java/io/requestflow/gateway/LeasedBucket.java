package io.requestflow.gateway;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One bucket's tokens on this instance, leased from the shared bucket in Redis ({@link RedisTokenLeases}).
 * A take is answered locally while a lease has tokens and has not expired. When the tokens run low (half
 * the last lease, or half its time gone) the next lease is fetched in the background, so takes do not
 * stall on Redis; if they run out anyway, the takers wait for one Redis call shared by all of them (never
 * one call per request). A lease is sized to the tokens this instance took over the last lease's life
 * (at least enough for the waiting takers, at most {@code maxLeaseTokens} and a tenth of the burst). When
 * Redis says the bucket is empty, takes are refused locally until the next token is due, so a flood of
 * refused requests does not become a flood of Redis calls.
 *
 * <p>Two lease slots, each its own lease in Redis: one in use while the other is fetched. A slot's next
 * call gives back what its last lease left unused, and a slot is refilled only when its own lease is
 * used up or expired, which is what {@link RedisTokenLeases} needs to keep the bound exact.
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

    /** Asks Redis for tokens for lease slot 0 or 1: {@code (slot, want, giveBack)} → grant. */
    interface Source {
        CompletableFuture<RedisTokenLeases.Grant> take(int slot, long want, long giveBack);
    }

    private static final class Slot {
        long tokens;
        long expiresAt;
        long size;

        boolean usable(long now) {
            return tokens > 0 && now - expiresAt < 0;
        }
    }

    private record Call(int slot, long want, long giveBack, long sentAt) {}

    private final Source source;
    private final long leaseNanos;
    private final long maxLeaseTokens;
    private final long burst;
    private final Slot[] slots = {new Slot(), new Slot()};
    private final ArrayDeque<CompletableFuture<Result>> waiters = new ArrayDeque<>();
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
        for (Slot s : slots) s.expiresAt = now;
        this.emptyUntil = now;
        this.lastCallAt = now;
    }

    CompletableFuture<Result> take() {
        CompletableFuture<Result> answer;
        Call call = null;
        synchronized (this) {
            long now = System.nanoTime();
            takesSinceCall++;
            Slot slot = inUse(now);
            if (slot != null) {
                slot.tokens--;
                if (!calling && runningLow(slot, now)) call = start(now, 0);
                answer = CompletableFuture.completedFuture(new Result(true, remainingHint(now), 0, null));
            } else if (now - emptyUntil < 0) {
                return CompletableFuture.completedFuture(new Result(false, 0, emptyUntil - now, null));
            } else if (waiters.size() >= MAX_WAITERS) {
                return CompletableFuture.completedFuture(new Result(false, 0, 1_000_000_000L, null));
            } else {
                answer = new CompletableFuture<>();
                waiters.add(answer);
                if (!calling) call = start(now, 0);
            }
        }
        if (call != null) send(call);
        return answer;
    }

    /**
     * What {@link #take} answers when that needs no Redis call, without a future: a token from a lease in
     * hand (perhaps starting the next lease's fetch in the background), or a refusal while the bucket is
     * known empty. Null otherwise, and then nothing was taken: the caller goes on to {@link #take}.
     */
    Result tryTake() {
        Result result;
        Call call = null;
        synchronized (this) {
            long now = System.nanoTime();
            Slot slot = inUse(now);
            if (slot != null) {
                takesSinceCall++;
                slot.tokens--;
                if (!calling && runningLow(slot, now)) call = start(now, 0);
                result = new Result(true, remainingHint(now), 0, null);
            } else if (now - emptyUntil < 0) {
                takesSinceCall++;
                return new Result(false, 0, emptyUntil - now, null);
            } else {
                return null;
            }
        }
        if (call != null) send(call);
        return result;
    }

    /** The usable slot that expires first, or null. */
    private Slot inUse(long now) {
        Slot a = slots[0].usable(now) ? slots[0] : null;
        Slot b = slots[1].usable(now) ? slots[1] : null;
        if (a == null) return b;
        if (b == null) return a;
        return a.expiresAt - b.expiresAt <= 0 ? a : b;
    }

    private boolean runningLow(Slot slot, long now) {
        Slot other = slots[0] == slot ? slots[1] : slots[0];
        if (other.usable(now)) return false; // the next lease is already here
        return slot.tokens <= slot.size / 2 || slot.expiresAt - now <= leaseNanos / 2;
    }

    /** Starts a call on a slot whose lease is used up or expired (null if both are still in use). */
    private Call start(long now, long atLeast) {
        int index = !slots[0].usable(now) ? 0 : !slots[1].usable(now) ? 1 : -1;
        if (index < 0) return null;
        Slot slot = slots[index];
        long giveBack = slot.tokens; // an expired lease's leftover
        slot.tokens = 0;
        calling = true;
        return new Call(index, Math.min(maxLeaseTokens, Math.max(leaseSize(now), atLeast)), giveBack, now);
    }

    private void send(Call call) {
        source.take(call.slot(), call.want(), call.giveBack()).whenComplete((grant, error) -> done(call, grant, error));
    }

    private void done(Call call, RedisTokenLeases.Grant grant, Throwable error) {
        List<CompletableFuture<Result>> allowed = new ArrayList<>();
        List<CompletableFuture<Result>> refused = new ArrayList<>();
        Result refusal;
        Call again = null;
        synchronized (this) {
            calling = false;
            if (error != null) {
                refusal = new Result(false, 0, 0, error);
                refused.addAll(waiters);
                waiters.clear();
            } else {
                long left = grant.granted();
                while (left > 0 && !waiters.isEmpty()) {
                    allowed.add(waiters.poll());
                    left--;
                }
                Slot slot = slots[call.slot()];
                slot.tokens = left;
                slot.size = grant.granted();
                // the lease is valid from before Redis took the tokens, so it ends no later than Redis thinks
                slot.expiresAt = call.sentAt() + leaseNanos;
                lastRemaining = grant.remaining();
                refusal = new Result(false, 0, grant.waitNanos(), null);
                if (!waiters.isEmpty()) {
                    if (grant.granted() < call.want()) { // the bucket ran dry: the rest are refused
                        emptyUntil = System.nanoTime() + grant.waitNanos();
                        refused.addAll(waiters);
                        waiters.clear();
                    } else { // the lease was too small for everyone waiting: ask again
                        again = start(System.nanoTime(), waiters.size());
                    }
                }
            }
        }
        Result ok = new Result(true, remainingHint(System.nanoTime()), 0, null);
        for (CompletableFuture<Result> w : allowed) w.complete(ok);
        for (CompletableFuture<Result> w : refused) w.complete(refusal);
        if (again != null) send(again);
    }

    /** Tokens for the next lease: this instance's recent rate × the lease time, at least 1. */
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
        return Math.max(Math.max(1, (long) Math.ceil(takesPerNano * leaseNanos)), waiters.size());
    }

    /**
     * RateLimit-Remaining: what Redis had left at this instance's last call plus the tokens this instance
     * still holds. Approximate: other instances' takes and the refill since that call are not seen.
     */
    private synchronized long remainingHint(long now) {
        long held = 0;
        for (Slot s : slots) if (s.usable(now)) held += s.tokens;
        return Math.min(burst, lastRemaining + held);
    }
}
