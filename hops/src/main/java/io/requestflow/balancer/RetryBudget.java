package io.requestflow.balancer;

import java.util.concurrent.atomic.LongAdder;

/**
 * Keeps retries to a share of requests (Finagle's retry budget), so a sick backend is not flooded by
 * its own clients: every request deposits {@code percent/100} of a retry, every retry withdraws one,
 * and a small allowance per second lets retries happen at low traffic. The balance is capped at ten
 * seconds' worth of the allowance plus ten, so a quiet hour does not save up a flood.
 */
final class RetryBudget {
    private final double perRequest;
    private final double perSecond;
    private final double cap;
    /**
     * Requests deposited, counted per thread: every request deposits, from every event loop, and a shared lock
     * and clock read per request would cost more than the retries it pays for. The balance takes the deposits
     * in when a retry asks for one; adding them then is the same as adding them one by one, because every
     * change to the balance but a withdrawal is an addition capped at {@code cap}, and capped additions add up
     * to their capped sum.
     */
    private final LongAdder deposits = new LongAdder();
    private long depositsTaken;
    private double balance;
    private long stamp = System.nanoTime();

    RetryBudget(int percent, int minRetriesPerSecond) {
        this.perRequest = percent / 100.0;
        this.perSecond = minRetriesPerSecond;
        this.cap = 10.0 * minRetriesPerSecond + 10.0;
        this.balance = 10.0 * minRetriesPerSecond;
    }

    void deposit() {
        deposits.increment();
    }

    /** True and one retry withdrawn, or false when the budget is spent. */
    synchronized boolean tryWithdraw() {
        refill();
        if (balance < 1) return false;
        balance -= 1;
        return true;
    }

    /** The balance now (for tests). */
    synchronized double balance() {
        refill();
        return balance;
    }

    private void refill() {
        long now = System.nanoTime();
        // the sum only grows (each thread's count only grows), so it is never below what was taken before
        long deposited = deposits.sum();
        long fresh = deposited - depositsTaken;
        depositsTaken = deposited;
        balance = Math.min(cap, balance + fresh * perRequest + perSecond * (now - stamp) / 1e9);
        stamp = now;
    }
}
