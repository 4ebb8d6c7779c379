package io.requestflow.dns.health;

/**
 * The health of one target from the results of all its checkers, in the order they arrive: {@code threshold}
 * results in a row that disagree with the current state flip it. Starts healthy, so a fresh server answers.
 */
final class TargetHealth {

    private final int threshold;
    private volatile boolean healthy = true;
    private int disagreeing;
    private long checks;
    private long failures;

    TargetHealth(int threshold) {
        this.threshold = threshold;
    }

    boolean healthy() {
        return healthy;
    }

    /** Records one result; true when it flipped the state. */
    synchronized boolean record(boolean passed) {
        checks++;
        if (!passed) {
            failures++;
        }
        if (passed == healthy) {
            disagreeing = 0;
            return false;
        }
        if (++disagreeing < threshold) {
            return false;
        }
        disagreeing = 0;
        healthy = passed;
        return true;
    }

    synchronized long checks() {
        return checks;
    }

    synchronized long failures() {
        return failures;
    }
}
