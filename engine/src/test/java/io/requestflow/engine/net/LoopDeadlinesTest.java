package io.requestflow.engine.net;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Timeouts kept in per-length lists fire in time, in order, and never after a cancel. */
class LoopDeadlinesTest {
    private static final DefaultEventLoopGroup GROUP = new DefaultEventLoopGroup(1);

    @AfterAll
    static void close() {
        GROUP.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private static <T> T onLoop(java.util.concurrent.Callable<T> task) throws Exception {
        EventLoop loop = GROUP.next();
        return loop.submit(task).get(5, TimeUnit.SECONDS);
    }

    @Test
    void firesDueTimeoutsInOrderAcrossLengthsAndSkipsCancelled() throws Exception {
        List<String> fired = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(4);
        long start = System.nanoTime();
        onLoop(() -> {
            LoopDeadlines d = LoopDeadlines.current();
            d.add(150, () -> { fired.add("150a"); done.countDown(); });
            LoopDeadlines.Timeout cancelled = d.add(150, () -> fired.add("cancelled"));
            d.add(150, () -> { fired.add("150b"); done.countDown(); });
            d.add(40, () -> { fired.add("40"); done.countDown(); });
            d.add(80, () -> { fired.add("80"); done.countDown(); });
            cancelled.cancel();
            return null;
        });
        assertTrue(done.await(5, TimeUnit.SECONDS));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(List.of("40", "80", "150a", "150b"), fired);
        assertTrue(elapsedMs >= 150, "fired after " + elapsedMs + " ms");
        Thread.sleep(50);
        assertEquals(4, fired.size(), "a cancelled timeout never fires");
    }

    @Test
    void aTimeoutCountedFromAnEarlierMomentKeepsItsLaneInOrder() throws Exception {
        List<String> fired = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(3);
        long start = System.nanoTime();
        onLoop(() -> {
            LoopDeadlines d = LoopDeadlines.current();
            d.add(100, () -> { fired.add("now"); done.countDown(); });
            // counted from 50 ms ago: due before the one above, so it waits for it (its lane stays in order)
            d.add(100, System.nanoTime() - 50_000_000L, () -> { fired.add("earlier"); done.countDown(); });
            d.add(60, start - 40_000_000L, () -> { fired.add("from start"); done.countDown(); });
            return null;
        });
        assertTrue(done.await(5, TimeUnit.SECONDS));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(List.of("from start", "now", "earlier"), fired);
        assertTrue(elapsedMs >= 100, "fired after " + elapsedMs + " ms");
    }

    @Test
    void cancelFromAnotherThreadIsHandedToTheLoop() throws Exception {
        List<String> fired = new CopyOnWriteArrayList<>();
        LoopDeadlines.Timeout t = onLoop(() -> LoopDeadlines.current().add(100, () -> fired.add("late")));
        t.cancel(); // from the test thread
        CountDownLatch after = new CountDownLatch(1);
        onLoop(() -> LoopDeadlines.current().add(150, after::countDown));
        assertTrue(after.await(5, TimeUnit.SECONDS));
        assertEquals(List.of(), fired);
    }

    @Test
    void manyLengthsFallBackToScheduledTasks() throws Exception {
        CountDownLatch done = new CountDownLatch(LoopDeadlines.MAX_LANES + 5);
        onLoop(() -> {
            for (int i = 0; i < LoopDeadlines.MAX_LANES + 5; i++) LoopDeadlines.current().add(10 + i, done::countDown);
            return null;
        });
        assertTrue(done.await(5, TimeUnit.SECONDS));
    }

    @Test
    void noDeadlinesOffALoopAndAddingThereIsRefused() throws Exception {
        assertNull(LoopDeadlines.current());
        LoopDeadlines loops = onLoop(LoopDeadlines::current);
        assertThrows(IllegalStateException.class, () -> loops.add(10, () -> {}));
    }
}
