package io.requestflow.cli.get;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import io.requestflow.engine.net.Transport;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends one HTTP/1.1 request the way a browser would reach Requestflow - resolve the host through the
 * project's DNS server, connect, TLS for {@code https}, send, read the whole response - and times every
 * phase on the way ({@link ProbeTimings}). One connection per request, closed afterwards, so every probe
 * pays (and shows) the full cost of a fresh client.
 *
 * <p>Everything is bounded: the whole exchange by {@link ProbeRequest#timeoutMs()}, the body by
 * {@link ProbeRequest#maxResponseBytes()}, headers by 64 KB. Failures complete the future with a
 * {@link ProbeException} whose message says what happened in words.
 *
 * <p>A probe may run many requests at once ({@link #send} is asynchronous and thread-safe); the load
 * generator shares one probe, and its event loop group, across all of them.
 */
public final class HttpProbe implements AutoCloseable {
    private static final int MAX_INITIAL_LINE = 8 * 1024;
    private static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final Set<String> BODY_METHODS = Set.of("POST", "PUT", "PATCH");

    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final Path extraCaPem;
    private final Object tlsLock = new Object();
    private volatile SslContext tls;

    /** A probe on its own one-thread event loop, trusting the system CAs and {@code var/ca/ca.pem}. */
    public HttpProbe() {
        this(Transport.newGroup("requestflow-get", 1), true, ClientTls.DEPLOYMENT_CA);
    }

    /**
     * A probe on a group the caller owns (made with {@link Transport#newGroup}, so the channel type
     * matches); {@code extraCaPem} is trusted in addition to the system CAs when the file exists.
     */
    public HttpProbe(EventLoopGroup group, Path extraCaPem) {
        this(group, false, extraCaPem);
    }

    private HttpProbe(EventLoopGroup group, boolean ownsGroup, Path extraCaPem) {
        this.group = group;
        this.ownsGroup = ownsGroup;
        this.extraCaPem = extraCaPem;
    }

    /**
     * Loads and links the classes a probe uses (DNS message coding, the HTTP codec) without touching
     * the network, so a one-shot command's timings measure the network and the hops rather than the
     * JVM's first use of those classes.
     */
    public static void warmUp() {
        try {
            var query = org.xbill.DNS.Message.newQuery(org.xbill.DNS.Record.newRecord(
                    org.xbill.DNS.Name.fromString("warm.up."), org.xbill.DNS.Type.A, org.xbill.DNS.DClass.IN));
            new org.xbill.DNS.Message(query.toWire());
        } catch (java.io.IOException ignored) {
            // warming up is best effort
        }
        var channel = new io.netty.channel.embedded.EmbeddedChannel(new HttpClientCodec(),
                new io.netty.handler.codec.http.HttpObjectAggregator(1024));
        channel.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
        channel.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n",
                java.nio.charset.StandardCharsets.US_ASCII));
        channel.finishAndReleaseAll();
    }

    /** Runs the request; the future completes by the request's timeout with a result or a ProbeException. */
    public CompletableFuture<ProbeResult> send(ProbeRequest request) {
        SslContext ssl = null;
        if (request.tls()) {
            try {
                ssl = tlsContext();
            } catch (ProbeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return new Attempt(request, ssl).start();
    }

    /** Runs the request and waits for it. */
    public ProbeResult call(ProbeRequest request) throws ProbeException {
        try {
            // The attempt has its own deadline; the extra second only guards against a bug here.
            return send(request).get(request.timeoutMs() + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ProbeException p) throw p;
            throw new ProbeException(ProbeException.Phase.HTTP, false, "failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new ProbeException(ProbeException.Phase.HTTP, true,
                    "no result within " + request.timeoutMs() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProbeException(ProbeException.Phase.HTTP, false, "interrupted", e);
        }
    }

    /** Shuts down the event loop group if this probe made it. */
    @Override
    public void close() {
        if (ownsGroup) group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    private SslContext tlsContext() throws ProbeException {
        SslContext ctx = tls;
        if (ctx == null) {
            synchronized (tlsLock) {
                if (tls == null) tls = ClientTls.context(extraCaPem);
                ctx = tls;
            }
        }
        return ctx;
    }

    /** {@code 127.0.0.1:8080} or {@code [::1]:8080}, always with the IP rather than a name. */
    static String format(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        if (ip == null) return address.getHostString() + ":" + address.getPort();
        String host = ip.getHostAddress();
        return (ip instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** Where one request is; the timeout message depends on it. */
    private enum Stage { DNS, CONNECT, TLS, WAIT, RECEIVE }

    /** One request on one fresh connection. */
    private final class Attempt {
        private final ProbeRequest request;
        private final SslContext ssl;
        private final CompletableFuture<ProbeResult> result = new CompletableFuture<>();
        private final long start = System.nanoTime();
        private volatile Stage stage = Stage.DNS;
        private volatile long dnsDone = -1;
        private volatile long connectStart;
        private volatile long connected;
        private volatile long tlsDone = -1;
        private volatile long sent;
        private volatile long firstByte;
        private volatile long received;
        private volatile InetSocketAddress address;
        private volatile Channel channel;
        private volatile ScheduledFuture<?> deadline;

        Attempt(ProbeRequest request, SslContext ssl) {
            this.request = request;
            this.ssl = ssl;
        }

        CompletableFuture<ProbeResult> start() {
            deadline = group.next().schedule(this::timedOut, request.timeoutMs(), TimeUnit.MILLISECONDS);
            result.whenComplete((r, e) -> {
                deadline.cancel(false);
                Channel ch = channel;
                if (ch != null) ch.close();
            });
            Optional<InetAddress> literal = DnsLookup.literal(request.host());
            if (literal.isPresent()) {
                connect(literal.get());
            } else {
                DnsLookup.resolve(request.host(), request.dnsServer(), request.timeoutMs(), request.source())
                        .whenComplete((ip, error) -> {
                            if (error != null) {
                                fail(unwrap(error));
                            } else {
                                dnsDone = System.nanoTime();
                                connect(ip);
                            }
                        });
            }
            return result;
        }

        private void connect(InetAddress ip) {
            if (result.isDone()) return;
            stage = Stage.CONNECT;
            address = new InetSocketAddress(ip, request.port());
            connectStart = System.nanoTime();
            int connectTimeout = (int) Math.min(Integer.MAX_VALUE, Math.max(1, remainingMs()));
            Bootstrap bootstrap = new Bootstrap()
                    .group(group)
                    .channel(Transport.clientChannel())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeout)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            if (ssl != null) {
                                SslHandler handler = ssl.newHandler(ch.alloc(), request.host(), request.port());
                                handler.setHandshakeTimeoutMillis(Math.max(1, remainingMs()));
                                ch.pipeline().addLast("tls", handler);
                            }
                            ch.pipeline().addLast("first-byte", new FirstByteTimer());
                            ch.pipeline().addLast("http", new HttpClientCodec(new HttpDecoderConfig()
                                    .setMaxInitialLineLength(MAX_INITIAL_LINE)
                                    .setMaxHeaderSize(MAX_HEADER_BYTES), false, false));
                            ch.pipeline().addLast("response", new ResponseReader());
                        }
                    });
            ChannelFuture connecting = request.source() == null ? bootstrap.connect(address)
                    : bootstrap.connect(address, new InetSocketAddress(request.source(), 0));
            channel = connecting.channel();
            if (result.isDone()) channel.close(); // timed out while the channel was being made
            connecting.addListener(f -> {
                if (!f.isSuccess()) {
                    fail(connectFailure(f.cause()));
                    return;
                }
                connected = System.nanoTime();
                if (ssl == null) {
                    sendRequest();
                    return;
                }
                stage = Stage.TLS;
                connecting.channel().pipeline().get(SslHandler.class).handshakeFuture().addListener(h -> {
                    if (h.isSuccess()) {
                        tlsDone = System.nanoTime();
                        sendRequest();
                    } else {
                        fail(tlsFailure(h.cause()));
                    }
                });
            });
        }

        private void sendRequest() {
            if (result.isDone()) return;
            FullHttpRequest http = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1,
                    HttpMethod.valueOf(request.method()), request.target(), Unpooled.wrappedBuffer(request.body()));
            HttpHeaders headers = http.headers();
            headers.set("Host", request.hostHeader());
            headers.set("User-Agent", ProbeRequest.USER_AGENT);
            headers.set("Accept", "*/*");
            List<String> replaced = new ArrayList<>();
            for (HeaderField h : request.headers()) {
                String key = h.name().toLowerCase(Locale.ROOT);
                if (!replaced.contains(key)) {
                    headers.remove(h.name());
                    replaced.add(key);
                }
                headers.add(h.name(), h.value());
            }
            if (request.body().length > 0 || BODY_METHODS.contains(request.method())) {
                if (!headers.contains("Content-Length") && !headers.contains("Transfer-Encoding")) {
                    headers.set("Content-Length", request.body().length);
                }
            }
            stage = Stage.WAIT;
            sent = System.nanoTime();
            channel.writeAndFlush(http).addListener(w -> {
                if (!w.isSuccess()) fail(ioFailure("sending the request to", w.cause()));
            });
        }

        private void complete(HttpResponse head, byte[] body) {
            long done = System.nanoTime();
            List<HeaderField> headers = new ArrayList<>();
            for (Map.Entry<String, String> h : head.headers()) headers.add(new HeaderField(h.getKey(), h.getValue()));
            ProbeTimings timings = new ProbeTimings(
                    dnsDone < 0 ? ProbeTimings.NOT_APPLICABLE : dnsDone - start,
                    connected - connectStart,
                    tlsDone < 0 ? ProbeTimings.NOT_APPLICABLE : tlsDone - connected,
                    (firstByte == 0 ? done : firstByte) - sent,
                    done - start);
            result.complete(new ProbeResult(request.method(), request.uri(), address,
                    dnsDone < 0 ? null : request.dnsServer(), head.protocolVersion().text(), head.status().code(),
                    head.status().reasonPhrase(), headers, body, timings, request.source()));
        }

        private void fail(ProbeException e) {
            result.completeExceptionally(e);
        }

        private long remainingMs() {
            return request.timeoutMs() - (System.nanoTime() - start) / 1_000_000;
        }

        private String where() {
            InetSocketAddress a = address;
            if (a == null) return request.host();
            String ip = format(a);
            return DnsLookup.literal(request.host()).isPresent() ? ip : request.host() + " (" + ip + ")";
        }

        private void timedOut() {
            long ms = request.timeoutMs();
            String limit = " within " + ms + " ms (--timeout)";
            ProbeException e = switch (stage) {
                case DNS -> new ProbeException(ProbeException.Phase.DNS, true, "DNS " + format(request.dnsServer())
                        + " did not answer for " + request.host() + limit + ". Is `./flow up` running?", null);
                case CONNECT -> new ProbeException(ProbeException.Phase.CONNECT, true,
                        "could not connect to " + where() + limit, null);
                case TLS -> new ProbeException(ProbeException.Phase.TLS, true,
                        "the TLS handshake with " + where() + " did not finish" + limit, null);
                case WAIT -> new ProbeException(ProbeException.Phase.HTTP, true,
                        where() + " took the request but sent no response" + limit, null);
                case RECEIVE -> new ProbeException(ProbeException.Phase.HTTP, true,
                        "the response from " + where() + " did not finish" + limit + "; " + received
                                + " bytes of body arrived", null);
            };
            fail(e);
        }

        private ProbeException connectFailure(Throwable cause) {
            String why = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
            if (cause instanceof ConnectTimeoutException) {
                return new ProbeException(ProbeException.Phase.CONNECT, true,
                        "could not connect to " + where() + " within " + request.timeoutMs() + " ms (--timeout)",
                        cause);
            }
            if (cause instanceof ConnectException && why.contains("refused")) {
                return new ProbeException(ProbeException.Phase.CONNECT, false,
                        "connection refused by " + where() + " - is `./flow up` running?", cause);
            }
            if (cause instanceof NoRouteToHostException || why.contains("unreachable")) {
                return new ProbeException(ProbeException.Phase.CONNECT, false,
                        "no route to " + where() + " (" + cause.getMessage() + ")", cause);
            }
            return new ProbeException(ProbeException.Phase.CONNECT, false,
                    "cannot connect to " + where() + ": " + message(cause), cause);
        }

        private ProbeException tlsFailure(Throwable cause) {
            Throwable root = cause;
            while (root instanceof DecoderException && root.getCause() != null) root = root.getCause();
            if (root instanceof NotSslRecordException) {
                return new ProbeException(ProbeException.Phase.TLS, false, where()
                        + " did not answer in TLS; is it a plain http:// port?", cause);
            }
            String text = chainText(cause);
            String why;
            if (text.contains("pkix path") || text.contains("unable to find valid certification path")
                    || text.contains("certificate_unknown") || text.contains("unknown_ca")) {
                why = "its certificate is not signed by a CA this client trusts (the system CAs, plus "
                        + ClientTls.DEPLOYMENT_CA + " when it exists)";
            } else if (text.contains("no subject alternative") || text.contains("no name matching")) {
                why = "its certificate is not valid for " + request.host();
            } else if (text.contains("expired") || text.contains("not yet valid")) {
                why = "its certificate is outside its validity period";
            } else if (cause instanceof SSLHandshakeException && text.contains("closed")) {
                why = "the server closed the connection during the handshake";
            } else {
                why = message(root);
            }
            return new ProbeException(ProbeException.Phase.TLS, false,
                    "TLS handshake with " + where() + " failed: " + why, cause);
        }

        private ProbeException ioFailure(String doing, Throwable cause) {
            if (stage == Stage.TLS || cause instanceof SSLException || cause.getCause() instanceof SSLException
                    || cause.getCause() instanceof CertificateException) {
                return tlsFailure(cause);
            }
            if (cause instanceof TooLongFrameException || cause.getCause() instanceof TooLongFrameException) {
                return new ProbeException(ProbeException.Phase.HTTP, false, "the response from " + where()
                        + " has a status line or headers over " + MAX_HEADER_BYTES / 1024 + " KB", cause);
            }
            String why = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
            if (why.contains("reset")) {
                return new ProbeException(ProbeException.Phase.HTTP, false, where() + " reset the connection ("
                        + (stage == Stage.RECEIVE ? received + " bytes of body had arrived" : "before any response")
                        + ")", cause);
            }
            return new ProbeException(ProbeException.Phase.HTTP, false, doing + " " + where() + " failed: "
                    + message(cause), cause);
        }

        /** Notes when the first response byte arrives (after TLS decryption), then steps aside. */
        private final class FirstByteTimer extends ChannelInboundHandlerAdapter {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (sent != 0) {
                    firstByte = System.nanoTime();
                    stage = Stage.RECEIVE;
                    ctx.pipeline().remove(this);
                }
                ctx.fireChannelRead(msg);
            }
        }

        /** Collects the response head and body, bounded, and completes the attempt on the last chunk. */
        private final class ResponseReader extends SimpleChannelInboundHandler<HttpObject> {
            private HttpResponse head;
            private ByteArrayOutputStream body;
            private boolean skippingInterim;

            @Override
            protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                if (result.isDone()) return;
                if (msg.decoderResult().isFailure()) {
                    Throwable cause = msg.decoderResult().cause();
                    fail(cause instanceof TooLongFrameException ? ioFailure("reading the response from", cause)
                            : new ProbeException(ProbeException.Phase.HTTP, false, where()
                                    + " sent a response that is not valid HTTP/1.1: " + message(cause), cause));
                    return;
                }
                if (msg instanceof HttpResponse response) {
                    if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL
                            && response.status().code() != 101) {
                        skippingInterim = true; // 100 Continue and friends: the real answer follows
                    } else {
                        long length = HttpUtil.getContentLength(response, -1L);
                        if (length > request.maxResponseBytes()) {
                            fail(tooLarge("Content-Length: " + length));
                            return;
                        }
                        head = response;
                        body = new ByteArrayOutputStream((int) Math.min(Math.max(length, 256), 1 << 20));
                    }
                }
                if (msg instanceof HttpContent content) {
                    if (skippingInterim) {
                        if (msg instanceof LastHttpContent) skippingInterim = false;
                        return;
                    }
                    if (head == null) return;
                    int n = content.content().readableBytes();
                    if ((long) body.size() + n > request.maxResponseBytes()) {
                        fail(tooLarge("stopped reading at " + size(body.size() + (long) n)));
                        return;
                    }
                    body.writeBytes(ByteBufUtil.getBytes(content.content()));
                    received = body.size();
                    if (msg instanceof LastHttpContent) complete(head, body.toByteArray());
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                if (!result.isDone()) {
                    fail(new ProbeException(stage == Stage.TLS ? ProbeException.Phase.TLS : ProbeException.Phase.HTTP,
                            false, where() + " closed the connection " + (head == null
                            ? "without sending a response" : "after " + received + " bytes of the body"), null));
                }
                ctx.fireChannelInactive();
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                fail(ioFailure("reading the response from", cause));
                ctx.close();
            }

            private ProbeException tooLarge(String size) {
                return new ProbeException(ProbeException.Phase.HTTP, false, "the response from " + where()
                        + " is larger than the " + size(request.maxResponseBytes()) + " limit (" + size + ")", null);
            }
        }
    }

    private static ProbeException unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e instanceof ProbeException p ? p
                : new ProbeException(ProbeException.Phase.DNS, false, "DNS lookup failed: " + message(e), e);
    }

    private static String message(Throwable e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static String chainText(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 4_000; t = t.getCause()) {
            sb.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" | ");
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }

    /** {@code 512 bytes}, {@code 2.0 KB}, {@code 16 MB}. */
    static String size(long bytes) {
        if (bytes < 1024) return bytes + " bytes";
        if (bytes < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
        double mb = bytes / (1024.0 * 1024);
        return mb == Math.rint(mb) ? (long) mb + " MB" : String.format(Locale.ROOT, "%.1f MB", mb);
    }
}
