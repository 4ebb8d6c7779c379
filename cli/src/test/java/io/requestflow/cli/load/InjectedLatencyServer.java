package io.requestflow.cli.load;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.requestflow.engine.net.Transport;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test HTTP server whose latency is known: each response waits a delay drawn uniformly from
 * [minMs, maxMs]; once, {@code stallAfterMs} after its first request, it stalls for {@code stallMs} (nothing
 * arriving or due during the stall is answered before it ends, like a GC pause). {@code /missing} answers
 * 404, {@code /hang} never answers. The stall window is kept as {@link System#nanoTime()} values, the
 * clock the generator uses, since both run in one JVM.
 */
final class InjectedLatencyServer implements AutoCloseable {
    final double minMs;
    final double maxMs;
    final long stallAfterMs;
    final long stallMs;
    private final EventLoopGroup group = Transport.newGroup("latency-server", 1);
    private final Channel channel;
    private final AtomicLong first = new AtomicLong();
    /** When each response was actually written, by request URI: the server's own truth, scheduling noise included. */
    final Map<String, Long> written = new ConcurrentHashMap<>();
    volatile long stallStart = Long.MAX_VALUE;
    volatile long stallEnd = Long.MAX_VALUE;

    InjectedLatencyServer(double minMs, double maxMs, long stallAfterMs, long stallMs) throws InterruptedException {
        this.minMs = minMs;
        this.maxMs = maxMs;
        this.stallAfterMs = stallAfterMs;
        this.stallMs = stallMs;
        channel = new ServerBootstrap().group(group).channel(Transport.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Handler());
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            long now = System.nanoTime();
            if (first.compareAndSet(0, now) && stallMs > 0) {
                stallStart = now + TimeUnit.MILLISECONDS.toNanos(stallAfterMs);
                stallEnd = stallStart + TimeUnit.MILLISECONDS.toNanos(stallMs);
            }
            if (req.uri().startsWith("/hang")) return;
            HttpResponseStatus status = req.uri().startsWith("/missing") ? HttpResponseStatus.NOT_FOUND : HttpResponseStatus.OK;
            long due = respondAt(now, (long) (ThreadLocalRandom.current().nextDouble(minMs, maxMs) * 1e6));
            FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer("{\"ok\":true}", StandardCharsets.UTF_8));
            resp.headers().set("content-type", "application/json").setInt("content-length", resp.content().readableBytes())
                    .set("server-timing", "edge;dur=1.00;desc=\"MISS\", gateway;dur=0.50, catalog;dur=0.30, "
                            + "redis;dur=0.10;desc=\"hit\"");
            String uri = req.uri();
            ctx.executor().schedule(() -> {
                written.put(uri, System.nanoTime());
                ctx.writeAndFlush(resp);
            }, Math.max(0, due - System.nanoTime()),
                    TimeUnit.NANOSECONDS);
        }
    }

    /** When a request arriving at {@code arrival} with {@code delay} is answered, stall included. */
    long respondAt(long arrival, long delay) {
        long s0 = stallStart;
        long s1 = stallEnd;
        if (arrival >= s0 && arrival < s1) return s1 + delay;
        long due = arrival + delay;
        return due >= s0 && due < s1 ? s1 : due;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
