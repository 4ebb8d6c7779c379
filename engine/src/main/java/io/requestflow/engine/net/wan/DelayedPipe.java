package io.requestflow.engine.net.wan;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One direction of a {@link WanRelay} connection: what {@code from} reads reaches {@code to} one-way delay
 * later, in order, and {@code from}'s close reaches {@code to} after the last byte. Both channels share one
 * event loop, so the state needs no locks. One queue and one timer per direction keep the order (timers
 * set for the same instant may fire in either order).
 *
 * <p>Bounded like a real link's buffers: past {@code maxBufferedBytes} in flight, or while {@code to} cannot
 * take more, {@code from} is no longer read, so the sender's TCP window closes instead of memory growing.
 */
final class DelayedPipe extends ChannelInboundHandlerAdapter {
    /** Bytes (or, with null bytes, the close) that arrive at {@code due}. */
    private record InFlight(long due, ByteBuf bytes) {}

    private final Channel to;
    private final long delayNanos;
    private final int maxBufferedBytes;
    private final ArrayDeque<InFlight> queue = new ArrayDeque<>();
    /** Extra hold on the first bytes (the client side's handshake round trip), then 0. */
    private long firstHoldNanos;
    private long inFlightBytes;
    private boolean timerSet;
    private final Channel from;
    /** The other direction, whose target is our {@code from}: told when {@code from}'s writability changes. */
    private DelayedPipe reverse;

    DelayedPipe(Channel from, Channel to, long delayNanos, long firstHoldNanos, int maxBufferedBytes) {
        this.from = from;
        this.to = to;
        this.delayNanos = delayNanos;
        this.firstHoldNanos = firstHoldNanos;
        this.maxBufferedBytes = maxBufferedBytes;
    }

    /** Pairs the two directions of one connection. */
    static void pair(DelayedPipe a, DelayedPipe b) {
        a.reverse = b;
        b.reverse = a;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        carry(msg);
    }

    /** Sends what {@code from} read (through this handler, or read before the link was up) on its way. */
    void carry(Object msg) {
        if (!(msg instanceof ByteBuf bytes)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        inFlightBytes += bytes.readableBytes();
        if (inFlightBytes > maxBufferedBytes) from.config().setAutoRead(false);
        send(new InFlight(arrival(), bytes));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        sourceClosed();
    }

    /** The sender closed: the far side sees it after the bytes sent before it. */
    void sourceClosed() {
        send(new InFlight(arrival(), null));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a reset or read error: the link goes down, the inactive event carries it to the far side
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // our channel is the other direction's target: that direction decides whether to read again
        if (reverse != null) reverse.resumeIfRoom();
    }

    private void send(InFlight item) {
        queue.addLast(item);
        if (!timerSet) arm(item.due());
    }

    private void arm(long due) {
        timerSet = true;
        to.eventLoop().schedule(this::deliverDue, due - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    /** Hands over everything due by now, in order, and sets the timer for the next. */
    private void deliverDue() {
        timerSet = false;
        long now = System.nanoTime();
        InFlight head;
        boolean wrote = false;
        while ((head = queue.peekFirst()) != null && head.due() <= now) {
            queue.pollFirst();
            if (head.bytes() == null) {
                if (wrote) to.flush(); // a close drops writes not yet flushed
                wrote = false;
                to.close();
                continue;
            }
            inFlightBytes -= head.bytes().readableBytes();
            to.write(head.bytes()); // to a closed channel: fails and releases the buffer, nothing leaks
            wrote = true;
        }
        if (wrote) to.flush();
        if (head != null) arm(head.due());
        resumeIfRoom();
    }

    /** Reads {@code from} again once the link has room and {@code to} takes more; stops while it does not. */
    private void resumeIfRoom() {
        boolean room = inFlightBytes <= maxBufferedBytes / 2 && to.isWritable();
        if (room != from.config().isAutoRead() && (room || !to.isWritable())) from.config().setAutoRead(room);
    }

    /** When something read now arrives: one-way delay later, never before what was read earlier. */
    private long arrival() {
        long due = System.nanoTime() + delayNanos + firstHoldNanos;
        firstHoldNanos = 0;
        InFlight last = queue.peekLast();
        return last == null ? due : Math.max(due, last.due());
    }
}
