package io.requestflow.dns;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One datagram in, at most one datagram back to its sender. */
final class UdpQueryHandler extends SimpleChannelInboundHandler<DatagramPacket> {

    private static final Logger log = LoggerFactory.getLogger(UdpQueryHandler.class);

    private final BiFunction<byte[], InetSocketAddress, byte[]> answerer;

    /** {@code answerer} maps (query, client) to the response bytes, or null to send nothing. */
    UdpQueryHandler(BiFunction<byte[], InetSocketAddress, byte[]> answerer) {
        this.answerer = answerer;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        byte[] response = answerer.apply(ByteBufUtil.getBytes(packet.content()), packet.sender());
        if (response != null) {
            ctx.write(new DatagramPacket(Unpooled.wrappedBuffer(response), packet.sender()));
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
