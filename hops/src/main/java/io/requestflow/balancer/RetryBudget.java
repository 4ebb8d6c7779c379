package io.requestflow.balancer;

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
    private double balance;
    private long stamp = System.nanoTime();

    RetryBudget(int percent, int minRetriesPerSecond) {
        this.perRequest = percent / 100.0;
        this.perSecond = minRetriesPerSecond;
        this.cap = 10.0 * minRetriesPerSecond + 10.0;
        this.balance = 10.0 * minRetriesPerSecond;
    }

    synchronized void deposit() {
        refill();
        balance = Math.min(cap, balance + perRequest);
    }

    /** True and one retry withdrawn, or false when the budget is spent. */
    synchronized boolean tryWithdraw() {
        refill();
        if (balance < 1) return false;
        balance -= 1;
        return true;
    }

    private void refill() {
        long now = System.nanoTime();
        balance = Math.min(cap, balance + perSecond * (now - stamp) / 1e9);
        stamp = now;
    }
}
