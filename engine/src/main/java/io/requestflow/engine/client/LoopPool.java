package io.requestflow.engine.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The keep-alive connections to one upstream address that belong to one event loop. Its state is only
 * touched on that loop, so taking and returning a connection is a deque operation: no lock, no promise,
 * no health-check round trip (Netty's FixedChannelPool spent all three on every call). Bounds: at most
 * {@code maxConnections} open (connecting ones included), at most {@code maxPending} callers waiting,
 * each for at most {@code acquireTimeoutMs}. A connection left idle for {@code idleTimeoutMs} is closed by
 * one sweep per pool, rather than by an idle handler that timestamps every read and write. The sweep comes
 * every sixteenth of the timeout while connections are idle, and a returned connection notes the sweeps so far
 * rather than the time (no clock read per call): it is closed at the 17th sweep after it came back, at least
 * sixteen sweep intervals and at most a sixteenth more than the timeout later.
 */
final class LoopPool {
    /** Receives a connection, or why there is none (TimeoutException/IllegalStateException: pool exhausted). */
    @FunctionalInterface
    interface Acquired {
        void done(Channel channel, Throwable failure);
    }

    private static final class Waiter {
        final Acquired callback;
        ScheduledFuture<?> timer;

        Waiter(Acquired callback) {
            this.callback = callback;
        }
    }

    private final Bootstrap bootstrap;
    private final EventLoop loop;
    private final int maxConnections;
    private final int maxPending;
    private final long acquireTimeoutMs;
    /** Sweeps per idle timeout: a connection stays idle at most a sixteenth longer than the timeout. */
    static final int SWEEPS_PER_TIMEOUT = 16;
    /** Time between sweeps, rounded up: sixteen of them are at least the timeout. */
    private final long sweepNanos;
    /** Sweeps run so far; consecutive ones are at least {@link #sweepNanos} apart. */
    private long sweeps;
    /** Connections ready for a request, most recently used last (reused first: warmest), oldest first. */
    private final ArrayDeque<Idle> idle = new ArrayDeque<>();
    private boolean sweepScheduled;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    /** Connections open or being opened; counted down only when one closes. */
    private int open;
    private boolean closed;

    /** {@code bootstrap} must be bound to {@code loop}, with the remote address and handlers set. */
    private record Idle(Channel channel, long sinceSweep) {}

    LoopPool(Bootstrap bootstrap, EventLoop loop, int maxConnections, int maxPending, long acquireTimeoutMs,
             long idleTimeoutMs) {
        this.bootstrap = bootstrap;
        this.loop = loop;
        this.maxConnections = maxConnections;
        this.maxPending = maxPending;
        this.acquireTimeoutMs = acquireTimeoutMs;
        long idleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs);
        this.sweepNanos = (idleTimeoutNanos + SWEEPS_PER_TIMEOUT - 1) / SWEEPS_PER_TIMEOUT;
    }

    /** Hands {@code callback} a connection of this pool, on the pool's loop. */
    void acquire(Acquired callback) {
        if (!loop.inEventLoop()) {
            try {
                loop.execute(() -> acquire(callback));
            } catch (RejectedExecutionException e) {
                callback.done(null, new IllegalStateException("the client is shutting down", e));
            }
            return;
        }
        if (closed) {
            callback.done(null, new IllegalStateException("the pool is closed"));
            return;
        }
        Idle ready;
        while ((ready = idle.pollLast()) != null) {
            if (ready.channel().isActive()) {
                callback.done(ready.channel(), null);
                return;
            }
        }
        if (open < maxConnections) {
            connect(callback);
            return;
        }
        if (waiters.size() >= maxPending) {
            callback.done(null, new IllegalStateException("too many requests waiting for a connection (" + maxPending
                    + " on this event loop)"));
            return;
        }
        Waiter waiter = new Waiter(callback);
        waiter.timer = loop.schedule(() -> {
            if (waiters.remove(waiter)) {
                callback.done(null, new TimeoutException("no connection free within " + acquireTimeoutMs + " ms"));
            }
        }, acquireTimeoutMs, TimeUnit.MILLISECONDS);
        waiters.add(waiter);
    }

    /** Takes a connection back after a call; a closed one is already accounted for by its close. */
    void release(Channel channel) {
        if (!loop.inEventLoop()) {
            try {
                loop.execute(() -> release(channel));
            } catch (RejectedExecutionException e) {
                channel.close();
            }
            return;
        }
        if (closed || !channel.isActive()) {
            channel.close();
            return;
        }
        Waiter waiter = waiters.poll();
        if (waiter != null) {
            waiter.timer.cancel(false);
            waiter.callback.done(channel, null);
        } else {
            idle.addLast(new Idle(channel, sweeps));
            if (!sweepScheduled) scheduleSweep();
        }
    }

    private void scheduleSweep() {
        sweepScheduled = true;
        try {
            loop.schedule(this::sweep, sweepNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            sweepScheduled = false; // the loop is shutting down and closes its channels itself
        }
    }

    /**
     * Closes the connections idle for the whole idle timeout: returned before the previous sixteen sweeps, the first
     * of which came after their return. Comes back while any connection is idle.
     */
    private void sweep() {
        sweepScheduled = false;
        sweeps++;
        Idle oldest;
        while ((oldest = idle.peekFirst()) != null && sweeps - oldest.sinceSweep() > SWEEPS_PER_TIMEOUT) {
            idle.pollFirst();
            oldest.channel().close();
        }
        if (oldest != null) scheduleSweep();
    }

    private void connect(Acquired callback) {
        open++;
        ChannelFuture connecting;
        try {
            connecting = bootstrap.connect();
        } catch (RuntimeException e) {
            open--;
            callback.done(null, e);
            return;
        }
        Channel channel = connecting.channel();
        channel.closeFuture().addListener(closedFuture -> closed(channel));
        connecting.addListener(done -> {
            if (done.isSuccess()) {
                callback.done(channel, null);
            } else {
                channel.close();
                callback.done(null, done.cause());
            }
        });
    }

    /** A connection closed (by either side, idle or in use): its place may go to a waiting caller. */
    private void closed(Channel channel) {
        open--;
        idle.removeIf(i -> i.channel() == channel);
        if (!closed && open < maxConnections) {
            Waiter waiter = waiters.poll();
            if (waiter != null) {
                waiter.timer.cancel(false);
                connect(waiter.callback);
            }
        }
    }

    /** Closes the idle connections and fails the waiting callers; connections in use close when returned. */
    void close() {
        if (!loop.inEventLoop()) {
            try {
                loop.execute(this::close);
            } catch (RejectedExecutionException e) {
                // the loop is gone and its channels with it
            }
            return;
        }
        closed = true;
        for (Idle i : idle.toArray(new Idle[0])) i.channel().close();
        idle.clear();
        Waiter waiter;
        while ((waiter = waiters.poll()) != null) {
            waiter.timer.cancel(false);
            waiter.callback.done(null, new IllegalStateException("the pool is closed"));
        }
    }
}
