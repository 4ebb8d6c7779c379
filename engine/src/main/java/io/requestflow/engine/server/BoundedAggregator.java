package io.requestflow.engine.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.requestflow.engine.http.Problem;

import java.util.List;

/**
 * Buffers a whole request up to a limit; above it, answers 413 as problem+json and closes.
 *
 * <p>A request without a body (no Content-Length, Transfer-Encoding or Expect: most GETs) followed by an
 * empty last part becomes a full request here directly, as the aggregator would make it (the same
 * headers plus {@code content-length: 0}, an empty body), without the composite buffer it sets up for
 * every message. Anything else goes through the aggregator as before.
 */
final class BoundedAggregator extends HttpObjectAggregator {
    private static final AsciiString ZERO = AsciiString.cached("0");
    private final int limit;
    /** The head of a request without a body, until its (empty) last part arrives. */
    private HttpRequest bodyless;

    BoundedAggregator(int limit) {
        super(limit);
        this.limit = limit;
    }

    /** The aggregator takes a content part only while it aggregates; the part after a held head is ours. */
    @Override
    public boolean acceptInboundMessage(Object msg) throws Exception {
        return (bodyless != null && msg instanceof HttpContent) || super.acceptInboundMessage(msg);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, HttpObject msg, List<Object> out) throws Exception {
        if (bodyless != null) {
            HttpRequest head = bodyless;
            bodyless = null;
            if (msg instanceof LastHttpContent last && !last.content().isReadable() && last.trailingHeaders().isEmpty()) {
                HttpHeaders headers = head.headers();
                headers.set(HttpHeaderNames.CONTENT_LENGTH, ZERO);
                out.add(new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(),
                        Unpooled.EMPTY_BUFFER, headers, last.trailingHeaders()));
                return;
            }
            super.decode(ctx, head, out); // not what it looked like: the aggregator takes both parts
            super.decode(ctx, msg, out);
            return;
        }
        if (msg instanceof HttpRequest request && !(msg instanceof FullHttpMessage) && withoutBody(request)) {
            bodyless = request;
            return;
        }
        super.decode(ctx, msg, out);
    }

    private static boolean withoutBody(HttpRequest request) {
        HttpHeaders headers = request.headers();
        return request.decoderResult().isSuccess() && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)
                && !headers.contains(HttpHeaderNames.TRANSFER_ENCODING) && !headers.contains(HttpHeaderNames.EXPECT);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        var problem = Problem.of(413, "Content Too Large",
                "the request body is larger than this listener accepts (" + limit + " bytes)");
        problem.headers().set("connection", "close");
        ctx.writeAndFlush(ServerHandler.toNetty(problem, false)).addListener(ChannelFutureListener.CLOSE);
    }
}
