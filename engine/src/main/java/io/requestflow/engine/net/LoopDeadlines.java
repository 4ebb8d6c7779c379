package io.requestflow.engine.net;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.ThreadExecutorMap;

import java.util.concurrent.TimeUnit;

/**
 * Per-request timeouts of one event loop without a scheduled task each. Netty keeps scheduled tasks in
 * a priority queue, so every request's schedule and cancel cost two O(log n) heap operations (about 6%
 * of a proxy hop's event-loop time). Here timeouts of the same length sit in one FIFO list (added in
 * time order, so the head expires first), a cancel unlinks in O(1), and one task per loop wakes for the
 * earliest head. Add and cancel run on the loop; a cancel from elsewhere is handed to it.
 */
public final class LoopDeadlines {
    /** Distinct timeout lengths kept in lists; beyond that a timeout is an ordinary scheduled task. */
    static final int MAX_LANES = 16;

    /** Each loop thread's own deadlines: they go away with the thread, no registry to clean up. */
    private static final FastThreadLocal<LoopDeadlines> CURRENT = new FastThreadLocal<>() {
        @Override
        protected LoopDeadlines initialValue() {
            EventExecutor loop = ThreadExecutorMap.currentExecutor();
            return loop == null ? null : new LoopDeadlines(loop);
        }
    };

    private final EventExecutor loop;
    /** The lanes and their timeout lengths, side by side: a linear search of at most MAX_LANES, no boxed key. */
    private final Lane[] lanes = new Lane[MAX_LANES];
    private final long[] laneTimeouts = new long[MAX_LANES];
    private int laneCount;
    private ScheduledFuture<?> wakeup;
    private long wakeupAt = Long.MAX_VALUE;

    private LoopDeadlines(EventExecutor loop) {
        this.loop = loop;
    }

    /** The deadlines of the event loop running this thread, or null when this is no event loop's thread. */
    public static LoopDeadlines current() {
        return ThreadExecutorMap.currentExecutor() == null ? null : CURRENT.get();
    }

    /** A pending timeout; {@link #cancel()} before it fires keeps {@code onExpire} from running. */
    public interface Timeout {
        void cancel();
    }

    /** Runs {@code onExpire} on the loop after {@code timeoutMs}, unless cancelled. Call on the loop. */
    public Timeout add(long timeoutMs, Runnable onExpire) {
        return add(timeoutMs, System.nanoTime(), onExpire);
    }

    /**
     * As above, counting {@code timeoutMs} from {@code fromNanos} (a {@link System#nanoTime()} the caller has just
     * read, such as when its request began), so the clock is not read again.
     */
    public Timeout add(long timeoutMs, long fromNanos, Runnable onExpire) {
        if (!loop.inEventLoop()) throw new IllegalStateException("LoopDeadlines.add off its event loop");
        Lane lane = lane(timeoutMs);
        if (lane == null) {
            if (laneCount >= MAX_LANES) {
                ScheduledFuture<?> task = loop.schedule(onExpire, timeoutMs, TimeUnit.MILLISECONDS);
                return () -> task.cancel(false);
            }
            lane = new Lane();
            lanes[laneCount] = lane;
            laneTimeouts[laneCount++] = timeoutMs;
        }
        long deadline = fromNanos + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        // a lane stays in deadline order: one counted from a moment before its tail's waits for the tail (µs)
        if (lane.tail != null && lane.tail.deadline - deadline > 0) deadline = lane.tail.deadline;
        Entry e = new Entry(this, lane, deadline, onExpire);
        lane.append(e);
        if (e.deadline < wakeupAt) wakeAt(e.deadline);
        return e;
    }

    private Lane lane(long timeoutMs) {
        for (int i = 0; i < laneCount; i++) if (laneTimeouts[i] == timeoutMs) return lanes[i];
        return null;
    }

    private void wakeAt(long deadline) {
        if (wakeup != null) wakeup.cancel(false);
        wakeupAt = deadline;
        wakeup = loop.schedule(this::expire, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /** Fires every head that is due, then sleeps until the earliest remaining one. */
    private void expire() {
        wakeup = null;
        wakeupAt = Long.MAX_VALUE;
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        for (int i = 0; i < laneCount; i++) {
            Lane lane = lanes[i];
            Entry head;
            while ((head = lane.head) != null && head.deadline - now <= 0) {
                lane.unlink(head);
                try {
                    head.onExpire.run();
                } catch (RuntimeException ignored) {
                    // one failing callback must not stop the others from expiring
                }
            }
            if (lane.head != null && lane.head.deadline < next) next = lane.head.deadline;
        }
        if (next != Long.MAX_VALUE) wakeAt(next);
    }

    private static final class Lane {
        Entry head;
        Entry tail;

        void append(Entry e) {
            e.prev = tail;
            if (tail == null) head = e;
            else tail.next = e;
            tail = e;
        }

        void unlink(Entry e) {
            if (e.prev == null) head = e.next;
            else e.prev.next = e.next;
            if (e.next == null) tail = e.prev;
            else e.next.prev = e.prev;
            e.prev = e.next = null;
            e.linked = false;
        }
    }

    private static final class Entry implements Timeout {
        final LoopDeadlines owner;
        final Lane lane;
        final long deadline;
        final Runnable onExpire;
        Entry prev;
        Entry next;
        boolean linked = true;

        Entry(LoopDeadlines owner, Lane lane, long deadline, Runnable onExpire) {
            this.owner = owner;
            this.lane = lane;
            this.deadline = deadline;
            this.onExpire = onExpire;
        }

        @Override
        public void cancel() {
            if (owner.loop.inEventLoop()) {
                if (linked) lane.unlink(this);
            } else {
                owner.loop.execute(this::cancel);
            }
        }
    }
}
