package io.requestflow.engine.server;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.http.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns one aggregated Netty request into a {@link Request}, hands it to the handler, and writes the
 * answer. Reading pauses while a request is in flight, so pipelined requests are answered in order.
 */
final class ServerHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(ServerHandler.class);

    private final RequestHandler handler;
    private final AtomicInteger inFlight;
    private final boolean secure;
    /** A request on this connection is being handled; idle closing must wait for it. */
    private boolean busy;

    ServerHandler(RequestHandler handler, AtomicInteger inFlight, boolean secure) {
        this.handler = handler;
        this.inFlight = inFlight;
        this.secure = secure;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
        if (msg.decoderResult().isFailure()) {
            Response problem = Problem.badRequest("malformed HTTP request: " + shortReason(msg.decoderResult().cause()));
            problem.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(toNetty(problem, false)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (secure) {
            // Netty's HTTP/2 conversion adds these; they describe this connection, not the request
            msg.headers().remove("x-http2-stream-id").remove("x-http2-scheme");
        }
        boolean keepAlive = HttpUtil.isKeepAlive(msg);
        boolean head = msg.method().name().equals("HEAD");
        HttpVersion version = msg.protocolVersion();
        // The headers are plain objects the aggregated message hands over (only its content is released):
        // no copy needed.
        Request request = new Request(msg.method().name(), msg.uri(), msg.headers(),
                ByteBufUtil.getBytes(msg.content()), (InetSocketAddress) ctx.channel().remoteAddress(), secure);
        ctx.channel().config().setAutoRead(false);
        busy = true;
        inFlight.incrementAndGet();
        CompletableFuture<Response> answer;
        try {
            answer = handler.handle(request);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((response, error) -> runOnLoop(ctx, () -> {
            inFlight.decrementAndGet();
            busy = false;
            Response out = response;
            if (error != null || out == null) {
                LOG.warn("unhandled error serving {}", request, error);
                out = Problem.internal("the hop failed while handling the request; see its log");
            }
            write(ctx, out, keepAlive, head, version);
        }));
    }

    /** Runs at once when already on the connection's event loop (the common case for proxies), else hands over. */
    private static void runOnLoop(ChannelHandlerContext ctx, Runnable task) {
        if (ctx.executor().inEventLoop()) task.run();
        else ctx.executor().execute(task);
    }

    private static void write(ChannelHandlerContext ctx, Response response, boolean keepAlive, boolean head,
                              HttpVersion version) {
        boolean close = !keepAlive || "close".equalsIgnoreCase(response.headers().get(HttpHeaderNames.CONNECTION));
        FullHttpResponse out = toNetty(response, head);
        out.setProtocolVersion(version);
        if (close) {
            out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
        } else {
            if (version.equals(HttpVersion.HTTP_1_0)) {
                out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            ctx.writeAndFlush(out).addListener(f -> {
                if (f.isSuccess()) {
                    ctx.channel().config().setAutoRead(true);
                } else {
                    ctx.close();
                }
            });
        }
    }

    static FullHttpResponse toNetty(Response response, boolean head) {
        byte[] body = response.body();
        // The response's own headers go out as they are (the response is finished): no copy per request.
        FullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(response.status()),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body), response.headers(),
                EmptyHttpHeaders.INSTANCE);
        out.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        // a 304 has no content, and its Content-Length may only repeat the 200's (RFC 9110 section 8.6): never a 0
        if (response.status() != 304 && (!head || !out.headers().contains(HttpHeaderNames.CONTENT_LENGTH))) {
            out.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        }
        return out;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent && !busy) {
            ctx.close();
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) LOG.debug("connection error from {}", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }

    private static String shortReason(Throwable cause) {
        if (cause == null) return "unparseable";
        String m = cause.getMessage();
        return m == null ? cause.getClass().getSimpleName() : m.length() > 120 ? m.substring(0, 120) : m;
    }
}
