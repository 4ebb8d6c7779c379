package io.requestflow.cli.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import io.requestflow.engine.net.Transport;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The load generator's HTTP client: per client source address a bounded pool of keep-alive connections,
 * a bounded queue of requests waiting for one, and a deadline per request counted from its intended send
 * time. Over TLS it offers HTTP/2 by ALPN (when {@code http2} is on) and multiplexes up to
 * {@link #MAX_STREAMS} requests on each HTTP/2 connection; otherwise, and when the server picks
 * http/1.1, one request at a time per connection. A request marked {@code fresh} opens (and afterwards
 * closes) a connection of its own, resolving the host through the project's DNS first, as a new visitor
 * would.
 *
 * <p>Each source's pool lives on one event loop, so its state needs no locks.
 */
public final class LoadClient implements AutoCloseable {
    /** Concurrent streams this client opens on one HTTP/2 connection (servers commonly allow 100+). */
    public static final int MAX_STREAMS = 100;
    private static final AttributeKey<Promise<String>> PROTOCOL = AttributeKey.valueOf("requestflow.load.protocol");
    private static final AttributeKey<int[]> STREAMS = AttributeKey.valueOf("requestflow.load.streams");

    private final Scenario scenario;
    private final EventLoopGroup group;
    private final Bootstrap base;
    private final InetSocketAddress remote;
    private final String hostHeader;
    private final String tlsHost;
    private final SslContext ssl;
    private final Resolver resolver;
    private final Pool[] pools;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicLong keys = new AtomicLong();
    private final String keyPrefix;
    private final AtomicLong connectionsOpened = new AtomicLong();
    private volatile String bearer;

    /**
     * Looks the target host up again for a new connection, asking from that connection's source address (so
     * GeoDNS answers for the client's region); completes with the address, or fails.
     */
    @FunctionalInterface
    public interface Resolver {
        CompletableFuture<InetAddress> resolve(InetAddress source);
    }

    /**
     * @param remote     the front door's address (resolved once before the run)
     * @param hostHeader the Host header (HTTP/2 :authority) to send: the URL's host[:port]
     * @param tlsHost    the name TLS sends (SNI) and checks the certificate against: the URL's host
     * @param ssl        TLS context for https targets (offering h2 by ALPN or not), or null
     * @param resolver   DNS lookup for new connections, or null when the target is an IP literal
     * @param sources    the client source addresses (loopback 127.x.y.z)
     */
    public LoadClient(Scenario scenario, InetSocketAddress remote, String hostHeader, String tlsHost, SslContext ssl,
                      Resolver resolver, List<InetAddress> sources, int threads) {
        this(scenario, remote, source -> remote, hostHeader, tlsHost, ssl, resolver, sources, threads);
    }

    /**
     * As above, with {@code remoteFor}: the front door's address as each source sees it (a GeoDNS answer
     * looked up from that source, so each region's pooled connections go to its nearest edge).
     */
    public LoadClient(Scenario scenario, InetSocketAddress remote,
                      java.util.function.Function<InetAddress, InetSocketAddress> remoteFor, String hostHeader,
                      String tlsHost, SslContext ssl, Resolver resolver, List<InetAddress> sources, int threads) {
        this.keyPrefix = Workload.keyPrefix(scenario.seed);
        this.scenario = scenario;
        this.remote = remote;
        this.hostHeader = hostHeader;
        this.tlsHost = tlsHost;
        this.ssl = ssl;
        this.resolver = resolver;
        this.group = Transport.newGroup("requestflow-load", threads);
        this.base = new Bootstrap().group(group).channel(Transport.clientChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) scenario.connectTimeoutMs)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_REUSEADDR, true);
        this.pools = new Pool[sources.size()];
        for (int i = 0; i < pools.length; i++) {
            pools[i] = new Pool(group.next(), sources.get(i), remoteFor.apply(sources.get(i)));
        }
    }

    /** The bearer token sent on endpoints with {@code auth: true} (null: sent without one). */
    public void bearer(String token) {
        this.bearer = token;
    }

    /** Connections opened so far (keep-alive reuse = requests / this). */
    public long connectionsOpened() {
        return connectionsOpened.get();
    }

    /** Sends {@code planned} as if at {@code intendedNanos}; {@code done} gets exactly one outcome. */
    public void send(Workload.Planned planned, long intendedNanos, Consumer<Outcome> done) {
        Exchange ex = new Exchange(planned, intendedNanos, done);
        Pool pool = pools[planned.source()];
        pool.loop.execute(() -> pool.submit(ex));
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** One request in flight; confined to its pool's event loop. */
    private final class Exchange {
        final Workload.Planned planned;
        final long intended;
        final Consumer<Outcome> done;
        boolean finished;
        boolean queued;
        ScheduledFuture<?> timer;
        Channel channel;
        long dnsNanos = -1;

        Exchange(Workload.Planned planned, long intended, Consumer<Outcome> done) {
            this.planned = planned;
            this.intended = intended;
            this.done = done;
        }

        void fail(Outcome.Kind kind, String detail) {
            finish(new Outcome(planned, intended, System.nanoTime(), 0, kind, detail, null, null, dnsNanos, null));
        }

        void finish(Outcome outcome) {
            if (finished) return;
            finished = true;
            if (timer != null) timer.cancel(false);
            done.accept(outcome);
        }

        void answer(FullHttpResponse response, String protocol) {
            int status = response.status().code();
            HttpHeaders h = response.headers();
            String cache = h.get("x-cache") != null ? h.get("x-cache") : h.get("cache-status");
            boolean good = planned.good(status);
            finish(new Outcome(planned, intended, System.nanoTime(), status,
                    good ? null : Outcome.Kind.STATUS, good ? null : "HTTP " + status
                            + (planned.expect() == null ? "" : " (expected " + planned.expect() + ")"),
                    h.get("server-timing"), cache, dnsNanos, protocol));
        }
    }

    /** The connections of one source address. */
    private final class Pool {
        final EventLoop loop;
        final InetAddress local;
        /** Where this source's pooled connections go: the front door as the source resolved it. */
        final InetSocketAddress target;
        final ArrayDeque<Channel> idle = new ArrayDeque<>();
        final List<Channel> multiplexed = new ArrayList<>();
        final ArrayDeque<Exchange> queue = new ArrayDeque<>();
        int open;
        int negotiating;

        Pool(EventLoop loop, InetAddress local, InetSocketAddress target) {
            this.loop = loop;
            this.local = local;
            this.target = target;
        }

        void submit(Exchange ex) {
            long left = ex.intended + TimeUnit.MILLISECONDS.toNanos(scenario.timeoutMs) - System.nanoTime();
            if (left <= 0) {
                ex.fail(Outcome.Kind.TIMEOUT, "timed out before it could be sent (generator behind schedule)");
                return;
            }
            ex.timer = loop.schedule(() -> timeout(ex), left, TimeUnit.NANOSECONDS);
            dispatch(ex);
        }

        private void dispatch(Exchange ex) {
            if (ex.planned.fresh()) {
                if (open < scenario.maxConnectionsPerSource) {
                    connect(ex);
                    return;
                }
                // make room: closing an idle connection lowers open and drain() then connects for it
                if (!idle.isEmpty()) idle.pollFirst().close();
            } else {
                Channel h2 = withFreeStream();
                if (h2 != null) {
                    stream(h2, ex, false);
                    return;
                }
                Channel c;
                while ((c = idle.pollFirst()) != null) {
                    if (c.isActive()) {
                        write(c, ex);
                        return;
                    }
                }
                // while a TLS connection that may become HTTP/2 is negotiating, wait for it rather than open more
                boolean mayMultiplex = ssl != null && scenario.http2 && negotiating > 0;
                if (!mayMultiplex && open < scenario.maxConnectionsPerSource) {
                    connect(ex);
                    return;
                }
            }
            if (waiting.incrementAndGet() > scenario.maxPending) {
                waiting.decrementAndGet();
                ex.fail(Outcome.Kind.OVERLOAD, "more than " + scenario.maxPending + " requests waiting for a connection");
                return;
            }
            ex.queued = true;
            queue.addLast(ex);
        }

        private Channel withFreeStream() {
            for (Channel c : multiplexed) {
                if (c.isActive() && c.attr(STREAMS).get()[0] < MAX_STREAMS) return c;
            }
            return null;
        }

        private void timeout(Exchange ex) {
            if (ex.finished) return;
            if (ex.queued && queue.remove(ex)) {
                ex.queued = false;
                waiting.decrementAndGet();
            }
            ex.fail(Outcome.Kind.TIMEOUT, "no complete response within " + scenario.timeoutMs + " ms of the intended send");
            if (ex.channel != null) ex.channel.close(); // an HTTP/2 stream: resets just that stream
        }

        private void connect(Exchange ex) {
            open++;
            if (ex.planned.fresh() && resolver != null) {
                long t0 = System.nanoTime();
                resolver.resolve(local).whenComplete((address, error) -> loop.execute(() -> {
                    ex.dnsNanos = System.nanoTime() - t0;
                    if (error != null) {
                        open--;
                        ex.fail(Outcome.Kind.DNS, String.valueOf(error.getCause() != null ? error.getCause().getMessage()
                                : error.getMessage()));
                        drain();
                    } else if (!ex.finished) {
                        connectTo(new InetSocketAddress(address, remote.getPort()), ex);
                    } else {
                        open--;
                        drain();
                    }
                }));
            } else {
                connectTo(target, ex);
            }
        }

        private void connectTo(InetSocketAddress address, Exchange ex) {
            negotiating++;
            Bootstrap b = base.clone(loop).handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    Promise<String> protocol = ch.eventLoop().newPromise();
                    ch.attr(PROTOCOL).set(protocol);
                    if (ssl == null) {
                        http1(ch.pipeline());
                        protocol.setSuccess("h1");
                        return;
                    }
                    ch.pipeline().addLast(ssl.newHandler(ch.alloc(), tlsHost, remote.getPort()));
                    ch.pipeline().addLast(new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
                        @Override
                        protected void configurePipeline(ChannelHandlerContext ctx, String name) {
                            if (ApplicationProtocolNames.HTTP_2.equals(name)) {
                                ctx.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                        new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                                protocol.trySuccess("h2");
                            } else {
                                http1(ctx.pipeline());
                                protocol.trySuccess("h1");
                            }
                        }

                        @Override
                        protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
                            protocol.tryFailure(cause);
                            ctx.close();
                        }
                    });
                }
            });
            b.connect(address, new InetSocketAddress(local, 0)).addListener(f -> {
                if (!f.isSuccess()) {
                    open--;
                    negotiating--;
                    Throwable c = f.cause();
                    String why = c instanceof ConnectTimeoutException ? "connect timed out after "
                            + scenario.connectTimeoutMs + " ms" : c instanceof ConnectException ? "connection refused: "
                            + address : String.valueOf(c.getMessage());
                    ex.fail(Outcome.Kind.CONNECT, why);
                    drain();
                    return;
                }
                connectionsOpened.incrementAndGet();
                Channel ch = ((ChannelFuture) f).channel();
                ch.closeFuture().addListener(closed -> {
                    // closed before TLS finished: the negotiation listener below fails the request
                    ch.attr(PROTOCOL).get().tryFailure(new java.nio.channels.ClosedChannelException());
                    open--;
                    idle.remove(ch);
                    multiplexed.remove(ch);
                    drain();
                });
                ch.attr(PROTOCOL).get().addListener(p -> {
                    negotiating--;
                    if (!p.isSuccess()) {
                        ex.fail(Outcome.Kind.CONNECT, "TLS handshake failed: " + describe(p.cause()));
                        ch.close();
                        return;
                    }
                    boolean h2 = "h2".equals(p.getNow());
                    if (h2) {
                        ch.attr(STREAMS).set(new int[1]);
                        if (!ex.planned.fresh()) multiplexed.add(ch);
                    }
                    if (ex.finished) {
                        if (ex.planned.fresh()) ch.close();
                        else if (!h2) idle.addFirst(ch);
                    } else if (h2) {
                        stream(ch, ex, ex.planned.fresh());
                    } else {
                        write(ch, ex);
                    }
                    drain();
                });
            });
        }

        private void http1(ChannelPipeline p) {
            p.addLast(new HttpClientCodec(8192, 64 * 1024, 8192));
            p.addLast(new HttpObjectAggregator(scenario.maxResponseBytes));
            p.addLast(new Reply(this));
        }

        private void write(Channel ch, Exchange ex) {
            ex.channel = ch;
            ch.pipeline().get(Reply.class).current = ex;
            ch.writeAndFlush(request(ex.planned, false)).addListener(w -> {
                if (!w.isSuccess()) {
                    ex.fail(Outcome.Kind.RESET, "write failed: " + w.cause().getMessage());
                    ch.close();
                }
            });
        }

        /** Sends {@code ex} on a new stream of an HTTP/2 connection; {@code closeAfter} for a fresh connection. */
        private void stream(Channel connection, Exchange ex, boolean closeAfter) {
            int[] streams = connection.attr(STREAMS).get();
            streams[0]++;
            new Http2StreamChannelBootstrap(connection).handler(new ChannelInitializer<Http2StreamChannel>() {
                @Override
                protected void initChannel(Http2StreamChannel ch) {
                    ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false),
                            new HttpObjectAggregator(scenario.maxResponseBytes), new StreamReply(ex));
                }
            }).open().addListener(f -> {
                if (!f.isSuccess()) {
                    streams[0]--;
                    ex.fail(Outcome.Kind.RESET, "could not open an HTTP/2 stream: " + describe(f.cause()));
                    if (closeAfter) connection.close();
                    drain();
                    return;
                }
                Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
                stream.closeFuture().addListener(closed -> {
                    streams[0]--;
                    if (!ex.finished) ex.fail(Outcome.Kind.RESET, "HTTP/2 stream closed before the response ended");
                    if (closeAfter) connection.close();
                    drain();
                });
                if (ex.finished) {
                    stream.close();
                    return;
                }
                ex.channel = stream;
                stream.writeAndFlush(request(ex.planned, true)).addListener(w -> {
                    if (!w.isSuccess()) {
                        ex.fail(Outcome.Kind.RESET, "write failed: " + describe(w.cause()));
                        stream.close();
                    }
                });
            });
        }

        /** A response ended; the connection is reused, handed to a waiting request, or closed. */
        void release(Channel ch, boolean keepAlive, Exchange ex) {
            ex.channel = null;
            if (!keepAlive || ex.planned.fresh() || !ch.isActive()) {
                ch.close();
                return;
            }
            Exchange next = pollQueue();
            if (next == null) {
                idle.addFirst(ch);
            } else if (next.planned.fresh()) {
                ch.close(); // the close listener opens a new connection for it via drain()
                queue.addFirst(next);
                next.queued = true;
                waiting.incrementAndGet();
            } else {
                write(ch, next);
            }
        }

        private Exchange pollQueue() {
            Exchange ex;
            while ((ex = queue.pollFirst()) != null) {
                ex.queued = false;
                waiting.decrementAndGet();
                if (!ex.finished) return ex;
            }
            return null;
        }

        /** Capacity came free: start waiting requests. */
        void drain() {
            while (!queue.isEmpty()) {
                boolean capacity = open < scenario.maxConnectionsPerSource || !idle.isEmpty() || withFreeStream() != null;
                if (!capacity) return;
                Exchange next = pollQueue();
                if (next == null) return;
                int before = queue.size();
                dispatch(next);
                if (next.queued && queue.size() > before) return; // it could not start: wait for the next event
            }
        }
    }

    private FullHttpRequest request(Workload.Planned p, boolean http2) {
        byte[] body = p.body() == null ? new byte[0] : p.body();
        // HTTP/2 takes :authority and :scheme from an absolute URI; HTTP/1.1 sends the origin form
        String uri = http2 ? "https://" + hostHeader + p.path() : p.path();
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(p.method()), uri,
                Unpooled.wrappedBuffer(body));
        HttpHeaders h = r.headers();
        h.set(HttpHeaderNames.HOST, hostHeader);
        h.set(HttpHeaderNames.USER_AGENT, "requestflow-load/0.1");
        h.set(HttpHeaderNames.ACCEPT, "*/*");
        if (body.length > 0) h.set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        if (body.length > 0 || !p.method().equals("GET")) h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (!p.method().equals("GET")) h.set("Idempotency-Key", keyPrefix + keys.incrementAndGet());
        String token = bearer;
        if (p.auth() && token != null) h.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token);
        if (p.fresh() && !http2) h.set(HttpHeaderNames.CONNECTION, "close");
        return r;
    }

    /** Reads the one response of the request in flight on its HTTP/1.1 connection. */
    private final class Reply extends SimpleChannelInboundHandler<FullHttpResponse> {
        final Pool pool;
        Exchange current;

        Reply(Pool pool) {
            this.pool = pool;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            Exchange ex = current;
            current = null;
            if (ex == null) {
                ctx.close(); // a response nobody asked for: the connection is out of step
                return;
            }
            ex.answer(response, "h1");
            pool.release(ctx.channel(), HttpUtil.isKeepAlive(response), ex);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Exchange ex = current;
            current = null;
            if (ex != null) ex.fail(kind(cause), describe(cause));
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            Exchange ex = current;
            current = null;
            if (ex != null) ex.fail(Outcome.Kind.RESET, "connection closed before the response ended");
            super.channelInactive(ctx);
        }
    }

    /** Reads the response on one HTTP/2 stream, then closes the stream. */
    private static final class StreamReply extends SimpleChannelInboundHandler<FullHttpResponse> {
        final Exchange ex;

        StreamReply(Exchange ex) {
            this.ex = ex;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            ex.answer(response, "h2");
            ctx.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ex.fail(kind(cause), describe(cause));
            ctx.close();
        }
    }

    private static Outcome.Kind kind(Throwable cause) {
        boolean protocol = cause instanceof TooLongFrameException
                || cause instanceof DecoderException && !(cause.getCause() instanceof javax.net.ssl.SSLException);
        return protocol ? Outcome.Kind.PROTOCOL : Outcome.Kind.RESET;
    }

    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root.getClass().getSimpleName() + (root.getMessage() != null ? ": " + root.getMessage() : "");
    }
}
