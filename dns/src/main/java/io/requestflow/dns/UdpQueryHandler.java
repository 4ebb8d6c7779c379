package io.requestflow.dns;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One datagram in, at most one datagram back to its sender. */
final class UdpQueryHandler extends SimpleChannelInboundHandler<DatagramPacket> {

    private static final Logger log = LoggerFactory.getLogger(UdpQueryHandler.class);

    private final Answerer answerer;

    UdpQueryHandler(Answerer answerer) {
        this.answerer = answerer;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        ByteBuf response = answerer.answer(packet.content(), packet.sender(), ctx.alloc());
        if (response != null) {
            DatagramPacket reply = new DatagramPacket(response, packet.sender());
            long delay = answerer.delayMillis();
            if (delay > 0) {
                // a timer on this loop, no thread waits; the datagram is released if the socket closed meanwhile
                ctx.executor().schedule(() -> ctx.writeAndFlush(reply, ctx.voidPromise()), delay, TimeUnit.MILLISECONDS);
                return;
            }
            // no promise to allocate per datagram: a failed send reaches exceptionCaught
            ctx.write(reply, ctx.voidPromise());
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // One flush per batch of datagrams read, not one system call per answer.
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The UDP socket serves every client: one bad packet or send error must not close it.
        log.debug("dns: udp error, still serving", cause);
    }
}
