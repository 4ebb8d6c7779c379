package io.requestflow.engine.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.requestflow.engine.http.HeadBytes;
import io.requestflow.engine.http.HeaderBlock;
import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.LoopFlusher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns one aggregated Netty request into a {@link Request}, hands it to the handler, and writes the
 * answer. One request per connection is handled at a time: requests a client pipelines behind it wait
 * in a short queue (reading pauses while they do), so answers go out in order. Reading is not paused
 * for the ordinary one-request-at-a-time client, since every pause and resume is a system call.
 */
final class ServerHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(ServerHandler.class);

    /** A request waiting its turn, or (with {@code answer}) a malformed one that only gets its 400. */
    private record Pending(Request request, Response answer, boolean keepAlive, boolean head, HttpVersion version) {}

    private final RequestHandler handler;
    private final AtomicInteger inFlight;
    private final boolean secure;
    /** Pipelined requests one connection may have waiting ({@code server.maxPipelined}); more cut it off. */
    private final int maxPipelined;
    /** A request on this connection is being handled; idle closing must wait for it. */
    private boolean busy;
    /** Reading is paused (requests queued, or the client is not taking our answers fast enough). */
    private boolean paused;
    /** The last answer closes the connection: nothing after it is served. */
    private boolean closing;
    /** The client shut down its side (half-close, as {@code nc -N} does): answer what it sent, then close. */
    private boolean inputShut;
    private ArrayDeque<Pending> queued;
    /** The response encoder's place in the pipeline: a raw answer is written from there, past the encoder. */
    private ChannelHandlerContext wire;
    /**
     * The peer, read once per connection rather than per request: Netty fills its cache on the first call,
     * a branch the JIT leaves out of the compiled request path under steady load, so the first requests of
     * a new burst of connections used to deoptimize that whole path (seen in -Xlog:deoptimization).
     */
    private InetSocketAddress remote;

    ServerHandler(RequestHandler handler, AtomicInteger inFlight, boolean secure, int maxPipelined) {
        this.handler = handler;
        this.inFlight = inFlight;
        this.secure = secure;
        this.maxPipelined = maxPipelined;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        wire = ctx.pipeline().context(HttpResponseEncoder.class); // none on an HTTP/2 stream
        remote = ctx.channel().remoteAddress() instanceof InetSocketAddress peer ? peer : null;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
        if (closing) return;
        Pending next = pending(ctx, msg);
        if (!busy) {
            dispatch(ctx, next);
            return;
        }
        if (queued == null) queued = new ArrayDeque<>(4);
        if (queued.size() >= maxPipelined) {
            closing = true;
            queued.clear();
            ctx.close();
            return;
        }
        queued.add(next);
        pause(ctx);
    }

    private Pending pending(ChannelHandlerContext ctx, FullHttpRequest msg) {
        HttpVersion version = msg.protocolVersion();
        if (msg.decoderResult().isFailure()) {
            Response problem = Problem.badRequest("malformed HTTP request: " + shortReason(msg.decoderResult().cause()));
            problem.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            return new Pending(null, problem, false, false, HttpVersion.HTTP_1_1);
        }
        if (secure) {
            // Netty's HTTP/2 conversion adds these; they describe this connection, not the request
            msg.headers().remove("x-http2-stream-id").remove("x-http2-scheme");
        }
        boolean keepAlive = HttpUtil.isKeepAlive(msg);
        boolean head = HttpMethod.HEAD.equals(msg.method());
        // The headers are plain objects the aggregated message hands over (only its content is released):
        // no copy needed.
        Request request = new Request(msg.method().name(), msg.uri(), msg.headers(),
                ByteBufUtil.getBytes(msg.content()), remote, secure);
        return new Pending(request, null, keepAlive, head, version);
    }

    private void dispatch(ChannelHandlerContext ctx, Pending pending) {
        if (pending.answer() != null) {
            closing = true;
            ctx.writeAndFlush(toNetty(pending.answer(), false)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        Request request = pending.request();
        busy = true;
        inFlight.incrementAndGet();
        handler.handle(request, (response, error) -> runOnLoop(ctx, () -> {
            busy = false;
            Response out = response;
            if (error != null || out == null) {
                LOG.warn("unhandled error serving {}", request, error);
                out = Problem.internal("the hop failed while handling the request; see its log");
            }
            boolean closes;
            try {
                closes = write(ctx, out, pending.keepAlive(), pending.head(), pending.version());
            } finally {
                // counted out only after the write has queued its flush (LoopFlusher): a drain that sees
                // nothing in flight closes the connection with a task that comes after that flush
                inFlight.decrementAndGet();
            }
            if (closes) {
                closing = true;
                if (queued != null) queued.clear();
                return;
            }
            if (!ctx.channel().isActive()) {
                if (queued != null) queued.clear(); // the client left: what it pipelined is not served
                return;
            }
            Pending following = queued == null ? null : queued.poll();
            if (following != null) {
                dispatch(ctx, following);
            } else if (inputShut) {
                closeAfterWrites(ctx);
            } else if (!ctx.channel().isWritable()) {
                pause(ctx); // resumes when the client has taken what was written (channelWritabilityChanged)
            } else {
                resume(ctx);
            }
        }));
    }

    private void pause(ChannelHandlerContext ctx) {
        if (!paused) {
            paused = true;
            ctx.channel().config().setAutoRead(false);
        }
    }

    private void resume(ChannelHandlerContext ctx) {
        if (paused && !busy && !closing && (queued == null || queued.isEmpty()) && ctx.channel().isWritable()) {
            paused = false;
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        resume(ctx);
        super.channelWritabilityChanged(ctx);
    }

    /** Runs at once when already on the connection's event loop (the common case for proxies), else hands over. */
    private static void runOnLoop(ChannelHandlerContext ctx, Runnable task) {
        if (ctx.executor().inEventLoop()) task.run();
        else ctx.executor().execute(task);
    }

    /** Writes the answer; true when it closes the connection. */
    private boolean write(ChannelHandlerContext ctx, Response response, boolean keepAlive, boolean head,
                          HttpVersion version) {
        if (response.status() == Response.RESET) {
            // no answer: an abortive close (RST), as a crashed process gives its callers
            ctx.channel().config().setOption(io.netty.channel.ChannelOption.SO_LINGER, 0);
            ctx.close();
            return true;
        }
        boolean close = !keepAlive || "close".equalsIgnoreCase(response.headerValue(HttpHeaderNames.CONNECTION));
        HeaderBlock block = response.headerBlock();
        if (block != null && wire != null) {
            writeRaw(response, block, close, head, version);
            return close;
        }
        FullHttpResponse out = toNetty(response, head);
        out.setProtocolVersion(version);
        if (close) {
            out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
        } else {
            if (version.equals(HttpVersion.HTTP_1_0)) {
                out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            // no promise per response: a failed write reaches exceptionCaught, which closes the connection
            ctx.write(out, ctx.voidPromise());
            LoopFlusher.flushSoon(ctx.channel());
        }
        return close;
    }

    /**
     * Writes a proxied answer whose headers are still the upstream's {@link HeaderBlock}: status line,
     * the block (with what the hop replaced or added), our framing, then the body buffer as it arrived.
     */
    private void writeRaw(Response response, HeaderBlock block, boolean close, boolean head, HttpVersion version) {
        int length = response.bodyLength();
        ByteBuf content = bodyToSend(response, head);
        HeadBytes lines = HeadBytes.take();
        lines.put(statusLine(response.status(), version));
        block.writeTo(lines);
        lines.put(CONTENT_LENGTH).putDecimal(length)
                .put(close ? CLOSE_END : version.equals(HttpVersion.HTTP_1_0) ? KEEP_ALIVE_END : END);
        // a small body is copied behind the head: one buffer to queue and send instead of two
        boolean together = content.readableBytes() <= SMALL_BODY;
        ByteBuf out = wire.alloc().buffer(lines.size() + (together ? content.readableBytes() : 0));
        lines.writeTo(out);
        if (together) {
            out.writeBytes(content);
            content.release();
        } else {
            wire.write(out, wire.voidPromise());
            out = content;
        }
        if (close) {
            wire.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
        } else {
            wire.write(out, wire.voidPromise());
            LoopFlusher.flushSoon(wire.channel());
        }
    }

    /** The body the answer carries: none for a HEAD (what the response held is released), else its own buffer. */
    private static ByteBuf bodyToSend(Response response, boolean head) {
        if (!head) return response.takeContent();
        response.release();
        return Unpooled.EMPTY_BUFFER;
    }

    private static final int SMALL_BODY = 4096;
    private static final byte[] CONTENT_LENGTH = "content-length: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CLOSE_END = "\r\nconnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEEP_ALIVE_END = "\r\nconnection: keep-alive\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** "HTTP/1.1 200 OK\r\n" and the like, made once per status. */
    private static final byte[][] STATUS_LINES = new byte[600][];

    private static byte[] statusLine(int status, HttpVersion version) {
        boolean cacheable = status >= 0 && status < STATUS_LINES.length && version.equals(HttpVersion.HTTP_1_1);
        byte[] line = cacheable ? STATUS_LINES[status] : null;
        if (line == null) {
            line = (version.text() + " " + HttpResponseStatus.valueOf(status) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            if (cacheable) STATUS_LINES[status] = line;
        }
        return line;
    }

    static FullHttpResponse toNetty(Response response, boolean head) {
        int length = response.bodyLength();
        // the body goes out as it is (a proxied body in the pooled buffer it arrived in: no copy); the
        // written message owns it from here, and Netty releases it once written or failed
        ByteBuf content = bodyToSend(response, head);
        // The response's own headers go out as they are (the response is finished): no copy per request.
        FullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(response.status()), content, response.headers(),
                EmptyHttpHeaders.INSTANCE);
        out.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        // a 304 has no content, and its Content-Length may only repeat the 200's (RFC 9110 section 8.6): never a 0
        if (response.status() != 304 && (!head || !out.headers().contains(HttpHeaderNames.CONTENT_LENGTH))) {
            out.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        }
        return out;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent && !busy) {
            ctx.close();
        } else if (evt instanceof ChannelInputShutdownEvent) {
            // the codec before us has passed on every request the client sent before its FIN
            inputShut = true;
            if (!busy && (queued == null || queued.isEmpty())) closeAfterWrites(ctx);
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    /** Closes once what was written is sent (an answer may still wait for the loop's flush, LoopFlusher). */
    private void closeAfterWrites(ChannelHandlerContext ctx) {
        closing = true;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
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
