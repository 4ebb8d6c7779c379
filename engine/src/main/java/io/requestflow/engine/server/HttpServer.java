package io.requestflow.engine.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.net.Transport;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * An HTTP listener on Netty: HTTP/1.1 in the clear, or TLS with HTTP/2 and HTTP/1.1 by ALPN; keep-alive,
 * bounded request sizes, idle timeout, graceful drain.
 */
public final class HttpServer implements AutoCloseable {
    private final String name;
    private final ServerConfig config;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AtomicInteger inFlight = new AtomicInteger();
    private Channel listener;

    private HttpServer(String name, ServerConfig config) {
        this.name = name;
        this.config = config;
    }

    /**
     * Binds {@code listen} and serves every request with {@code handler}.
     *
     * @throws IllegalStateException with a readable message when the address is taken
     */
    public static HttpServer start(String name, HostPort listen, ServerConfig config, EventLoopGroup group,
                                   RequestHandler handler) {
        HttpServer server = new HttpServer(name, config);
        server.bind(listen, group, handler, null, null);
        return server;
    }

    /**
     * As above, over TLS when {@code tls} is not null: ALPN picks HTTP/2 or HTTP/1.1 per connection, and
     * both reach {@code handler} as the same {@link io.requestflow.engine.http.Request} (marked secure).
     * Each new connection asks {@code tls} for the context, so a replaced certificate serves from the next
     * connection on.
     */
    public static HttpServer start(String name, HostPort listen, ServerConfig config, EventLoopGroup group,
                                   RequestHandler handler, Supplier<SslContext> tls) {
        HttpServer server = new HttpServer(name, config);
        server.bind(listen, group, handler, tls, null);
        return server;
    }

    /** As above, in plain HTTP; a non-null {@code inspector} checks every request's raw bytes before the codec. */
    public static HttpServer start(String name, HostPort listen, ServerConfig config, EventLoopGroup group,
                                   RequestHandler handler, RawRequestInspector inspector) {
        HttpServer server = new HttpServer(name, config);
        server.bind(listen, group, handler, null, inspector);
        return server;
    }

    private void bind(HostPort listen, EventLoopGroup group, RequestHandler handler, Supplier<SslContext> tls,
                      RawRequestInspector inspector) {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(Transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        if (inspector != null) {
                            ch.pipeline().addLast("raw-guard", new RawRequestGuard(inspector,
                                    config.maxInitialLineLength() + config.maxHeaderBytes()));
                        }
                        ch.pipeline().addLast("idle", new ConnectionIdleHandler(config.idleTimeoutMs()));
                        if (tls == null) {
                            // a client's FIN ends its requests, not our answers: ServerHandler closes after them
                            ch.config().setAllowHalfClosure(true);
                            http1(ch.pipeline(), handler, false);
                        } else {
                            ch.pipeline().addLast("tls", tls.get().newHandler(ch.alloc()))
                                    .addLast("alpn", new AlpnHandler(config, handler, inFlight, HttpServer.this));
                        }
                    }
                });
        ChannelFuture bind = bootstrap.bind(listen.toSocketAddress()).awaitUninterruptibly();
        if (!bind.isSuccess()) {
            Throwable cause = bind.cause();
            boolean inUse = cause instanceof BindException
                    || String.valueOf(cause.getMessage()).contains("Address already in use"); // epoll's NativeIoException
            String why = inUse ? "address already in use" : String.valueOf(cause.getMessage());
            throw new IllegalStateException(name + ": cannot listen on " + listen + " (" + why
                    + "). Is another Requestflow running? Stop it, or choose another port in config/topology.yaml",
                    cause);
        }
        listener = bind.channel();
    }

    /** The HTTP/1.1 handlers, on a plain connection or after ALPN chose http/1.1. */
    void http1(ChannelPipeline pipeline, RequestHandler handler, boolean secure) {
        // decoder and encoder apart (not HttpServerCodec): a proxied answer written past the encoder
        // (ServerHandler.writeRaw) would leave the codec's queue of request methods out of step
        pipeline.addLast("decoder", new HttpRequestDecoder(config.maxInitialLineLength(), config.maxHeaderBytes(), 64 * 1024))
                .addLast("encoder", new HttpResponseEncoder())
                .addLast("aggregate", new BoundedAggregator(config.maxRequestBytes()))
                .addLast("handler", new ServerHandler(handler, inFlight, secure, config.maxPipelined()));
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    public String name() {
        return name;
    }

    /** Requests being handled right now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Stops accepting, lets in-flight requests finish up to the drain timeout, then closes connections. */
    @Override
    public void close() {
        listener.close().awaitUninterruptibly();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.drainTimeoutMs());
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        connections.close().awaitUninterruptibly(config.drainTimeoutMs());
    }
}
