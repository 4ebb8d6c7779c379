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
 * per response; here a write only notes the time, and one check per idle period looks at the clock.
 */
final class ConnectionIdleHandler extends ChannelDuplexHandler {
    private final long idleNanos;
    private long lastActivity;
    private ScheduledFuture<?> check;

    ConnectionIdleHandler(long idleTimeoutMs) {
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1, idleTimeoutMs));
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
        lastActivity = System.nanoTime();
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        lastActivity = System.nanoTime();
        ctx.write(msg, promise);
    }

    private void start(ChannelHandlerContext ctx) {
        if (check != null) return;
        lastActivity = System.nanoTime();
        schedule(ctx, idleNanos);
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
        long quiet = System.nanoTime() - lastActivity;
        if (quiet < idleNanos || sending(ctx)) {
            schedule(ctx, quiet < idleNanos ? idleNanos - quiet : idleNanos);
            return;
        }
        schedule(ctx, idleNanos); // the handler behind may keep the connection (a request in hand): look again later
        ctx.fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
    }

    /** Bytes written but not yet taken by the peer: a slow reader, not an idle connection. */
    private static boolean sending(ChannelHandlerContext ctx) {
        ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
        return out != null && out.totalPendingWriteBytes() > 0;
    }
}
