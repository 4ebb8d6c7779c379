package io.requestflow.engine.client;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateEvent;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.net.LoopDeadlines;


/** Completes the one call in flight on a pooled connection: with the response, a timeout, or a reset. */
final class ResponseHandler extends SimpleChannelInboundHandler<FullHttpResponse> {

    /** Told once per call, on the connection's event loop: a response (and whether the connection stays open) or a failure. */
    interface Callback {
        void done(Response response, boolean keepAlive, UpstreamException error);
    }

    private Callback current;
    private HostPort upstream;
    /** The call takes the body in its pooled buffer instead of a copy. */
    private boolean passThrough;
    private LoopDeadlines.Timeout timer;
    private ChannelHandlerContext ctx;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Called on the channel's event loop before the request is written. */
    void begin(Callback call, HostPort upstream, long readTimeoutMs, boolean passThrough) {
        this.current = call;
        this.upstream = upstream;
        this.passThrough = passThrough;
        // begin runs on this connection's loop, so the loop's deadline lists hold the read timeout
        Runnable expire = () -> {
            if (current == call) fail(new UpstreamException(UpstreamException.Kind.TIMEOUT,
                    upstream, "no response within " + readTimeoutMs + " ms", null));
        };
        LoopDeadlines deadlines = LoopDeadlines.current();
        if (deadlines != null) {
            this.timer = deadlines.add(readTimeoutMs, expire);
        } else {
            var task = ctx.executor().schedule(expire, readTimeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS);
            this.timer = () -> task.cancel(false);
        }
    }

    void fail(UpstreamException error) {
        Callback call = take();
        if (call != null) call.done(null, false, error);
    }

    private Callback take() {
        Callback call = current;
        current = null;
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        return call;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse msg) {
        Callback call = take();
        if (call == null) {
            ctx.close(); // a response nobody asked for: the connection is out of step
            return;
        }
        if (msg.decoderResult().isFailure()) {
            call.done(null, false, new UpstreamException(UpstreamException.Kind.PROTOCOL, upstream,
                    String.valueOf(msg.decoderResult().cause().getMessage()), msg.decoderResult().cause()));
            return;
        }
        // headers are plain objects (only the content is pooled), so they can be kept without a copy; the
        // content is kept as it is (one more reference, which the response owns) or copied out
        Response response = passThrough
                ? Response.passingThrough(msg.status().code(), msg.headers(), msg.content().retain())
                : new Response(msg.status().code(), msg.headers(), ByteBufUtil.getBytes(msg.content()));
        call.done(response, HttpUtil.isKeepAlive(msg), null);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        fail(new UpstreamException(UpstreamException.Kind.RESET, upstream, null, null));
        super.channelInactive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            if (current == null) ctx.close();
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        UpstreamException.Kind kind = cause instanceof TooLongFrameException
                ? UpstreamException.Kind.TOO_LARGE : UpstreamException.Kind.RESET;
        fail(new UpstreamException(kind, upstream, cause.getMessage(), cause));
        ctx.close();
    }
}
