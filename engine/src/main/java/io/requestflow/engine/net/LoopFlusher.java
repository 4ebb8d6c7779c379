package io.requestflow.engine.net;

import io.netty.channel.Channel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.internal.ThreadExecutorMap;

import java.util.ArrayList;
import java.util.concurrent.RejectedExecutionException;

/**
 * Flushes the connections written during one turn of an event loop together, after the turn's ready
 * sockets have all been read. A proxy's loop typically finds a dozen sockets ready per wake-up; flushed
 * one by one, each send wakes the peer (the client, the upstream) for a single message, and the peer
 * goes back to sleep before the next arrives. Sent at the end of the turn, the peer wakes once for
 * several: behind the balancer, wrk and nginx slept and woke about 1.5x as often per request as behind
 * HAProxy (docs/benchmarks.md, balancer round 5). The delay is the rest of one turn (microseconds).
 * Off the channel's loop (or outside any loop) a flush happens at once.
 */
public final class LoopFlusher {
    /** Each loop thread's own list: it goes away with the thread, no registry to clean up. */
    private static final FastThreadLocal<LoopFlusher> CURRENT = new FastThreadLocal<>() {
        @Override
        protected LoopFlusher initialValue() {
            EventExecutor loop = ThreadExecutorMap.currentExecutor();
            return loop == null ? null : new LoopFlusher(loop);
        }
    };

    private final EventExecutor loop;
    private final ArrayList<Channel> pending = new ArrayList<>();
    private final Runnable flushAll = this::flushAll;

    private LoopFlusher(EventExecutor loop) {
        this.loop = loop;
    }

    /** Flushes {@code channel} (written with {@code write}, not flushed) at the end of its loop's current turn. */
    public static void flushSoon(Channel channel) {
        LoopFlusher flusher = channel.eventLoop().inEventLoop() ? CURRENT.get() : null;
        if (flusher == null) {
            channel.flush();
            return;
        }
        flusher.add(channel);
    }

    private void add(Channel channel) {
        if (pending.isEmpty()) {
            try {
                // a task queued from the loop itself runs after this turn's reads, without waking anything
                loop.execute(flushAll);
            } catch (RejectedExecutionException e) {
                channel.flush(); // the loop is shutting down
                return;
            }
        }
        if (pending.isEmpty() || pending.getLast() != channel) pending.add(channel);
    }

    private void flushAll() {
        // by index: a flush may lead to more writes (an error closing a connection), flushed in this pass too
        for (int i = 0; i < pending.size(); i++) pending.get(i).flush();
        pending.clear();
    }
}
