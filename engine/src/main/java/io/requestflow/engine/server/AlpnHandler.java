package io.requestflow.engine.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.timeout.IdleStateEvent;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * After the TLS handshake, sets the connection up for the protocol ALPN chose. HTTP/2 streams each get
 * a child channel that converts frames to a full HTTP/1.1-shaped request, so hops see one request model
 * whichever protocol the client spoke.
 */
final class AlpnHandler extends ApplicationProtocolNegotiationHandler {
    /** Streams one client may have open at once: a bound, like every queue. */
    private static final int MAX_CONCURRENT_STREAMS = 256;

    private final ServerConfig config;
    private final RequestHandler handler;
    private final AtomicInteger inFlight;
    private final HttpServer server;

    AlpnHandler(ServerConfig config, RequestHandler handler, AtomicInteger inFlight, HttpServer server) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.config = config;
        this.handler = handler;
        this.inFlight = inFlight;
        this.server = server;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            Http2Settings settings = Http2Settings.defaultSettings()
                    .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
                    .maxHeaderListSize(config.maxHeaderBytes());
            ctx.pipeline().addLast("h2", Http2FrameCodecBuilder.forServer().initialSettings(settings).build())
                    .addLast("h2-streams", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                        @Override
                        protected void initChannel(Http2StreamChannel stream) {
                            stream.pipeline()
                                    .addLast("h2-to-http", new Http2StreamFrameToHttpObjectCodec(true))
                                    .addLast("aggregate", new BoundedAggregator(config.maxRequestBytes()))
                                    .addLast("handler", new ServerHandler(handler, inFlight, true, config.maxPipelined()));
                        }
                    }))
                    .addLast("h2-idle", new IdleCloser());
        } else {
            server.http1(ctx.pipeline(), handler, true);
        }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a failed handshake (wrong trust, plain HTTP on the TLS port) is the client's problem
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (!(cause instanceof IOException)) super.exceptionCaught(ctx, cause);
        else ctx.close();
    }

    /** Closes an idle HTTP/2 connection (the HTTP/1.1 handler does this itself). */
    private static final class IdleCloser extends io.netty.channel.ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent) ctx.close();
            else super.userEventTriggered(ctx, evt);
        }
    }
}
