package io.requestflow.engine.trace;

import io.opentelemetry.sdk.common.Clock;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * The spans' clock: the wall-clock time as the monotonic clock's time since a wall-clock reading taken at most a
 * second ago, which is how the SDK's own {@code AnchoredClock} times every span of a trace after its first. The
 * SDK's default clock reads the wall clock through {@code Clock.systemUTC().instant()} for every trace's first
 * span (each request a hop receives), a native call about three times the cost of {@link System#nanoTime()}
 * (1.6 % of the balancer's event-loop user time: docs/benchmarks.md, balancer round 11). The two clocks run at the
 * same rate (NTP slews both); only a step of the wall clock (set by hand, or by NTP at boot) shows up late here, by
 * up to a second.
 */
final class SpanClock implements Clock {
    static final SpanClock INSTANCE = new SpanClock();
    /** How old a wall-clock reading may get before the next span takes a new one. */
    static final long ANCHOR_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** A wall-clock reading and the monotonic clock's at the same moment. */
    private record Anchor(long epochNanos, long nanoTime) {
        static Anchor now() {
            Instant wall = Instant.now();
            long nanoTime = System.nanoTime();
            return new Anchor(TimeUnit.SECONDS.toNanos(wall.getEpochSecond()) + wall.getNano(), nanoTime);
        }
    }

    private volatile Anchor anchor = Anchor.now();

    @Override
    public long now() {
        long nanoTime = System.nanoTime();
        Anchor a = anchor;
        if (nanoTime - a.nanoTime() >= ANCHOR_NANOS) {
            a = Anchor.now();
            anchor = a;
            return a.epochNanos();
        }
        return a.epochNanos() + (nanoTime - a.nanoTime());
    }

    /** As the SDK's default clock: low precision is the wall clock's milliseconds. */
    @Override
    public long now(boolean highPrecision) {
        return highPrecision ? now() : TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis());
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }
}
