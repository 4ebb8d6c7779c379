package io.requestflow.dns;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One length-delimited DNS message in, one out, in order (RFC 7766 pipelining). The framing on either side is
 * the pipeline's; this sees whole messages. A message that gets no answer closes the connection, since the
 * client would otherwise wait for one until its timeout.
 */
final class TcpQueryHandler extends SimpleChannelInboundHandler<ByteBuf> {

    private static final Logger log = LoggerFactory.getLogger(TcpQueryHandler.class);

    private final Answerer answerer;

    TcpQueryHandler(Answerer answerer) {
        this.answerer = answerer;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf message) {
        ByteBuf response = answerer.answer(message, (InetSocketAddress) ctx.channel().remoteAddress(), ctx.alloc());
        if (response == null) {
            ctx.flush();
            ctx.close();
            return;
        }
        long delay = answerer.delayMillis();
        if (delay > 0) {
            ctx.executor().schedule(() -> ctx.writeAndFlush(response), delay, java.util.concurrent.TimeUnit.MILLISECONDS);
            return;
        }
        ctx.write(response);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            ctx.close(); // an idle connection holds a socket for nothing (RFC 7766 §6.2.3)
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // An oversized frame or a reset costs this connection only; the listener keeps serving.
        log.debug("dns: closing tcp connection from {}", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
