package io.requestflow.cli.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
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
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.ScheduledFuture;
import io.requestflow.engine.net.Transport;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The load generator's HTTP/1.1 client: per client source address a bounded pool of keep-alive
 * connections, a bounded queue of requests waiting for one, and a deadline per request counted from its
 * intended send time. A request marked {@code fresh} opens (and afterwards closes) a connection of its
 * own, resolving the host through the project's DNS first, as a new visitor would.
 *
 * <p>Each source's pool lives on one event loop, so its state needs no locks.
 */
public final class LoadClient implements AutoCloseable {
    private final Scenario scenario;
    private final EventLoopGroup group;
    private final Bootstrap base;
    private final InetSocketAddress remote;
    private final String hostHeader;
    private final SslContext ssl;
    private final Resolver resolver;
    private final Pool[] pools;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicLong keys = new AtomicLong();
    private final AtomicLong connectionsOpened = new AtomicLong();
    private volatile String bearer;

    /** Looks the target host up again for a new connection; completes with the address, or fails. */
    @FunctionalInterface
    public interface Resolver {
        CompletableFuture<InetAddress> resolve();
    }

    /**
     * @param remote     the front door's address (resolved once before the run)
     * @param hostHeader the Host header to send (the URL's host[:port])
     * @param ssl        TLS context for https targets, or null
     * @param resolver   DNS lookup for new connections, or null when the target is an IP literal
     * @param sources    the client source addresses (loopback 127.x.y.z)
     */
    public LoadClient(Scenario scenario, InetSocketAddress remote, String hostHeader, SslContext ssl,
                      Resolver resolver, List<InetAddress> sources, int threads) {
        this.scenario = scenario;
        this.remote = remote;
        this.hostHeader = hostHeader;
        this.ssl = ssl;
        this.resolver = resolver;
        this.group = Transport.newGroup("requestflow-load", threads);
        this.base = new Bootstrap().group(group).channel(Transport.clientChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) scenario.connectTimeoutMs)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_REUSEADDR, true);
        this.pools = new Pool[sources.size()];
        for (int i = 0; i < pools.length; i++) pools[i] = new Pool(group.next(), sources.get(i));
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
            finish(new Outcome(planned, intended, System.nanoTime(), 0, kind, detail, null, null, dnsNanos));
        }

        void finish(Outcome outcome) {
            if (finished) return;
            finished = true;
            if (timer != null) timer.cancel(false);
            done.accept(outcome);
        }
    }

    /** The connections of one source address. */
    private final class Pool {
        final EventLoop loop;
        final InetAddress local;
        final ArrayDeque<Channel> idle = new ArrayDeque<>();
        final ArrayDeque<Exchange> queue = new ArrayDeque<>();
        int open;

        Pool(EventLoop loop, InetAddress local) {
            this.loop = loop;
            this.local = local;
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
                Channel c;
                while ((c = idle.pollFirst()) != null) {
                    if (c.isActive()) {
                        write(c, ex);
                        return;
                    }
                }
                if (open < scenario.maxConnectionsPerSource) {
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

        private void timeout(Exchange ex) {
            if (ex.finished) return;
            if (ex.queued && queue.remove(ex)) {
                ex.queued = false;
                waiting.decrementAndGet();
            }
            ex.fail(Outcome.Kind.TIMEOUT, "no complete response within " + scenario.timeoutMs + " ms of the intended send");
            if (ex.channel != null) ex.channel.close();
        }

        private void connect(Exchange ex) {
            open++;
            if (ex.planned.fresh() && resolver != null) {
                long t0 = System.nanoTime();
                resolver.resolve().whenComplete((address, error) -> loop.execute(() -> {
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
                connectTo(remote, ex);
            }
        }

        private void connectTo(InetSocketAddress address, Exchange ex) {
            Bootstrap b = base.clone(loop).handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    if (ssl != null) {
                        ch.pipeline().addLast(ssl.newHandler(ch.alloc(), remote.getHostString(), remote.getPort()));
                    }
                    ch.pipeline().addLast(new HttpClientCodec(8192, 64 * 1024, 8192));
                    ch.pipeline().addLast(new HttpObjectAggregator(scenario.maxResponseBytes));
                    ch.pipeline().addLast(new Reply(Pool.this));
                }
            });
            b.connect(address, new InetSocketAddress(local, 0)).addListener(f -> {
                if (!f.isSuccess()) {
                    open--;
                    Throwable c = f.cause();
                    String why = c instanceof ConnectTimeoutException ? "connect timed out after "
                            + scenario.connectTimeoutMs + " ms" : c instanceof ConnectException ? "connection refused: "
                            + address : String.valueOf(c.getMessage());
                    ex.fail(Outcome.Kind.CONNECT, why);
                    drain();
                    return;
                }
                connectionsOpened.incrementAndGet();
                Channel ch = ((io.netty.channel.ChannelFuture) f).channel();
                ch.closeFuture().addListener(closed -> {
                    open--;
                    idle.remove(ch);
                    drain();
                });
                if (ex.finished) {
                    idle.addFirst(ch);
                    drain();
                } else {
                    write(ch, ex);
                }
            });
        }

        private void write(Channel ch, Exchange ex) {
            ex.channel = ch;
            ch.pipeline().get(Reply.class).current = ex;
            ch.writeAndFlush(request(ex.planned)).addListener(w -> {
                if (!w.isSuccess()) {
                    ex.fail(Outcome.Kind.RESET, "write failed: " + w.cause().getMessage());
                    ch.close();
                }
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
            while (!queue.isEmpty() && (open < scenario.maxConnectionsPerSource || !idle.isEmpty())) {
                Exchange next = pollQueue();
                if (next == null) return;
                dispatch(next);
            }
        }
    }

    private FullHttpRequest request(Workload.Planned p) {
        byte[] body = p.body() == null ? new byte[0] : p.body();
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(p.method()), p.path(),
                Unpooled.wrappedBuffer(body));
        HttpHeaders h = r.headers();
        h.set(HttpHeaderNames.HOST, hostHeader);
        h.set(HttpHeaderNames.USER_AGENT, "requestflow-load/0.1");
        h.set(HttpHeaderNames.ACCEPT, "*/*");
        if (body.length > 0) h.set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        if (body.length > 0 || !p.method().equals("GET")) h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (!p.method().equals("GET")) h.set("Idempotency-Key", "load-" + scenario.seed + "-" + keys.incrementAndGet());
        String token = bearer;
        if (p.auth() && token != null) h.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token);
        if (p.fresh()) h.set(HttpHeaderNames.CONNECTION, "close");
        return r;
    }

    /** Reads the one response of the request in flight on its connection. */
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
            int status = response.status().code();
            HttpHeaders h = response.headers();
            String cache = h.get("x-cache") != null ? h.get("x-cache") : h.get("cache-status");
            ex.finish(new Outcome(ex.planned, ex.intended, System.nanoTime(), status,
                    status >= 400 ? Outcome.Kind.STATUS : null, status >= 400 ? "HTTP " + status : null,
                    h.get("server-timing"), cache, ex.dnsNanos));
            pool.release(ctx.channel(), HttpUtil.isKeepAlive(response), ex);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Exchange ex = current;
            current = null;
            if (ex != null) {
                boolean protocol = cause instanceof TooLongFrameException
                        || cause instanceof DecoderException && !(cause.getCause() instanceof javax.net.ssl.SSLException);
                ex.fail(protocol ? Outcome.Kind.PROTOCOL : Outcome.Kind.RESET, describe(cause));
            }
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

    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root.getClass().getSimpleName() + (root.getMessage() != null ? ": " + root.getMessage() : "");
    }
}
