package io.requestflow.engine.server;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Tells the handlers behind it (an all-idle {@link IdleStateEvent}) when a connection has read nothing,
 * been given nothing to write and has nothing left to send for the idle timeout. Netty's
 * {@code IdleStateHandler} does the same but hangs a listener on every write, a promise notification
 * per response, and reads the clock at every read and write. Here a read or a write only sets a flag; a check
 * every {@link #CHECKS_PER_TIMEOUT}th of the timeout reads the clock and, when it finds the flag set, takes its own
 * time as the connection's last traffic (no earlier than the real last traffic, at most one check later). So a
 * connection is never closed before it has been quiet for the whole timeout, and at most a sixteenth of it later
 * (two clock reads per request fewer: docs/benchmarks.md, balancer round 11).
 */
final class ConnectionIdleHandler extends ChannelDuplexHandler {
    /** Checks per idle timeout: how much later than the timeout a quiet connection may be found idle. */
    static final int CHECKS_PER_TIMEOUT = 16;
    private final long idleNanos;
    private final long checkNanos;
    /** Read or written since the last check. */
    private boolean active;
    /** The time of the last check that found traffic (or of the start): no earlier than the last traffic. */
    private long quietSince;
    private ScheduledFuture<?> check;

    ConnectionIdleHandler(long idleTimeoutMs) {
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1, idleTimeoutMs));
        this.checkNanos = Math.max(1, idleNanos / CHECKS_PER_TIMEOUT);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) start(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        start(ctx);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stop();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        active = true;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        active = true;
        ctx.write(msg, promise);
    }

    private void start(ChannelHandlerContext ctx) {
        if (check != null) return;
        active = false;
        quietSince = System.nanoTime();
        schedule(ctx, checkNanos);
    }

    private void stop() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }

    private void schedule(ChannelHandlerContext ctx, long delayNanos) {
        check = ctx.executor().schedule(() -> check(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check(ChannelHandlerContext ctx) {
        if (check == null || !ctx.channel().isOpen()) return;
        long now = System.nanoTime();
        if (active) { // traffic since the last check, which was at most checkNanos ago
            active = false;
            quietSince = now;
        }
        long quiet = now - quietSince;
        if (quiet < idleNanos) {
            schedule(ctx, Math.min(checkNanos, idleNanos - quiet));
            return;
        }
        if (sending(ctx)) { // a slow reader, not an idle connection
            schedule(ctx, checkNanos);
            return;
        }
        // the handler behind may keep the connection (a request in hand): told again after another quiet timeout
        quietSince = now;
        schedule(ctx, checkNanos);
        ctx.fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
    }

    /** Bytes written but not yet taken by the peer: a slow reader, not an idle connection. */
    private static boolean sending(ChannelHandlerContext ctx) {
        ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
        return out != null && out.totalPendingWriteBytes() > 0;
    }
}
