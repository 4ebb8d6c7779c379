package io.requestflow.engine.server;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.requestflow.engine.http.Problem;

/** Buffers a whole request up to a limit; above it, answers 413 as problem+json and closes. */
final class BoundedAggregator extends HttpObjectAggregator {
    private final int limit;

    BoundedAggregator(int limit) {
        super(limit);
        this.limit = limit;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        var problem = Problem.of(413, "Content Too Large",
                "the request body is larger than this listener accepts (" + limit + " bytes)");
        problem.headers().set("connection", "close");
        ctx.writeAndFlush(ServerHandler.toNetty(problem, false)).addListener(ChannelFutureListener.CLOSE);
    }
}
