package io.requestflow.engine.trace;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.opentelemetry.api.trace.Span;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The spans' clock reads the wall clock's time, as the SDK's default clock does. */
class SpanClockTest {
    /** Readings around a moment may differ by the time between them and the reading jitter: far below this. */
    private static final long SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private static long wallNanos() {
        Instant now = Instant.now();
        return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
    }

    @Test
    void itReadsTheWallClockBetweenReadingsOfIt() throws Exception {
        SpanClock clock = new SpanClock();
        for (int i = 0; i < 30; i++) { // across a new wall-clock reading: the anchor is a second old at most
            long before = wallNanos();
            long now = clock.now();
            long coarse = clock.now(false); // read inside the bracket too: an assertion between takes its own time
            long after = wallNanos();
            assertThat(now).isBetween(before - SLACK_NANOS, after + SLACK_NANOS);
            assertThat(coarse).isBetween(before - SLACK_NANOS, after + SLACK_NANOS);
            Thread.sleep(100);
        }
    }

    @Test
    void itNeverGoesBackBetweenReadingsOfOneAnchor() {
        SpanClock clock = new SpanClock();
        long previous = clock.now();
        for (int i = 0; i < 100_000; i++) {
            long now = clock.now();
            if (now - previous < 0) {
                // only a new wall-clock reading may move it back, by the reading jitter at most
                assertThat(previous - now).isLessThan(SLACK_NANOS);
            }
            previous = now;
        }
    }

    @Test
    void spansAreTimedByTheWallClock() {
        RecentSpans store = new RecentSpans(4);
        long before;
        long after;
        try (Tracing tracing = new Tracing("t", "t-1", store)) {
            before = wallNanos();
            Span server = tracing.startServer("root", new DefaultHttpHeaders());
            Span client = tracing.startClient(server, "child");
            client.end();
            server.end();
            after = wallNanos();
        }
        List<Map<String, Object>> spans = store.find(null, 10);
        assertThat(spans).hasSize(2);
        for (Map<String, Object> span : spans) {
            long start = (long) span.get("startEpochNanos");
            assertThat(start).isBetween(before - SLACK_NANOS, after + SLACK_NANOS);
            assertThat((double) span.get("durationMs")).isBetween(0.0, (after - before + SLACK_NANOS) / 1e6);
        }
    }
}
