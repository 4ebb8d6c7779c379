package io.requestflow.engine.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.net.LoopDeadlines;


/**
 * Completes the one call in flight on a pooled connection: with the response, a timeout, or a reset.
 * It gathers the response's body itself, up to {@code client.maxResponseBytes}: a body that came in one
 * piece (the usual case) is kept as that piece, without the composite buffer and message object an
 * {@code HttpObjectAggregator} makes for every response.
 */
final class ResponseHandler extends ChannelInboundHandlerAdapter {

    /** Told once per call, on the connection's event loop: a response (and whether the connection stays open) or a failure. */
    interface Callback {
        void done(Response response, boolean keepAlive, UpstreamException error);
    }

    private final int maxResponseBytes;
    /** Calls this connection has carried (a reused one may have been closed by the upstream meanwhile). */
    int calls;
    private Callback current;
    private HostPort upstream;
    /** The call takes the body in its pooled buffer instead of a copy. */
    private boolean passThrough;
    private LoopDeadlines.Timeout timer;
    /** The deadline lists of this connection's loop, looked up at the first call (two thread-local reads). */
    private LoopDeadlines deadlines;
    private ChannelHandlerContext ctx;

    // the response being read: its head (Netty's, or the raw decoder's), then its body so far (one piece,
    // or a composite of several)
    private HttpResponse head;
    private RawResponseHead rawHead;
    private RawResponseDecoder rawDecoder;
    private HeadAwareResponseDecoder netty;
    private ByteBuf body;

    ResponseHandler(int maxResponseBytes) {
        this.maxResponseBytes = maxResponseBytes;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.rawDecoder = ctx.pipeline().get(RawResponseDecoder.class);
        this.netty = ctx.pipeline().get(HeadAwareResponseDecoder.class);
    }

    /** Called on the channel's event loop before the request is written. */
    void begin(Callback call, HostPort upstream, long readTimeoutMs, boolean passThrough, boolean head) {
        this.current = call;
        if (rawDecoder != null) rawDecoder.expect(!head);
        if (netty != null) netty.head = head;
        this.upstream = upstream;
        this.passThrough = passThrough;
        // begin runs on this connection's loop, so the loop's deadline lists hold the read timeout
        Runnable expire = () -> {
            if (current == call) fail(new UpstreamException(UpstreamException.Kind.TIMEOUT,
                    upstream, "no response within " + readTimeoutMs + " ms", null));
        };
        LoopDeadlines deadlines = this.deadlines;
        if (deadlines == null) deadlines = this.deadlines = LoopDeadlines.current(); // the channel's loop, for life
        if (deadlines != null) {
            this.timer = deadlines.add(readTimeoutMs, expire);
        } else {
            var task = ctx.executor().schedule(expire, readTimeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS);
            this.timer = () -> task.cancel(false);
        }
    }

    void fail(UpstreamException error) {
        discardPartial();
        Callback call = take();
        if (call != null) call.done(null, false, error);
    }

    private Callback take() {
        Callback call = current;
        current = null;
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        return call;
    }

    private void discardPartial() {
        head = null;
        rawHead = null;
        if (body != null) {
            body.release();
            body = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (current == null) {
                ctx.close(); // a response nobody asked for: the connection is out of step
                return;
            }
            if (msg instanceof RawResponseHead raw) {
                rawHead = raw;
                if (raw.block().contentLength() > maxResponseBytes) {
                    tooLarge();
                } else if (raw.body() != null || raw.block().contentLength() == 0) { // whole already
                    if (raw.body() == null || append(raw.body())) completeRaw();
                }
                return;
            }
            if (msg instanceof HttpResponse response) {
                if (failed(response.decoderResult())) return;
                head = response;
                if (HttpUtil.getContentLength(response, -1L) > maxResponseBytes) {
                    tooLarge();
                    return;
                }
            }
            if (msg instanceof HttpContent content) {
                if ((head == null && rawHead == null) || failed(content.decoderResult())) {
                    if (head == null && rawHead == null) fail(protocol("content without a response head"));
                    return;
                }
                if (!append(content.content())) return;
                if (content instanceof LastHttpContent) complete((LastHttpContent) content);
            }
        } finally {
            if (msg instanceof RawResponseHead raw) {
                if (raw.body() != null) raw.body().release();
            } else {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    /** Adds one piece of body; false (and the call failed) when the body grows past the limit. */
    private boolean append(ByteBuf piece) {
        if (!piece.isReadable()) return true;
        int size = (body == null ? 0 : body.readableBytes()) + piece.readableBytes();
        if (size > maxResponseBytes) {
            tooLarge();
            return false;
        }
        if (body == null) {
            body = piece.retain();
        } else {
            if (!(body instanceof CompositeByteBuf)) {
                CompositeByteBuf pieces = ctx.alloc().compositeBuffer(16);
                pieces.addComponent(true, body);
                body = pieces;
            }
            ((CompositeByteBuf) body).addComponent(true, piece.retain());
        }
        return true;
    }

    private void complete(LastHttpContent last) {
        if (rawHead != null) {
            completeRaw();
            return;
        }
        HttpResponse response = head;
        ByteBuf content = body;
        head = null;
        body = null;
        HttpHeaders headers = response.headers();
        if (!last.trailingHeaders().isEmpty()) headers.add(last.trailingHeaders());
        // what the caller gets is a whole message: a chunked one now has a length (a HEAD answer keeps its own)
        if (HttpUtil.isTransferEncodingChunked(response)) {
            headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
            if (!HttpUtil.isContentLengthSet(response)) {
                headers.setInt(HttpHeaderNames.CONTENT_LENGTH, content == null ? 0 : content.readableBytes());
            }
        }
        Callback call = take();
        boolean keepAlive = HttpUtil.isKeepAlive(response);
        Response answer;
        if (content == null) {
            answer = new Response(response.status().code(), headers, (byte[]) null);
        } else if (passThrough) {
            answer = Response.passingThrough(response.status().code(), headers, content); // hands over our reference
        } else {
            answer = new Response(response.status().code(), headers, ByteBufUtil.getBytes(content));
            content.release();
        }
        // headers are plain objects (only the content is pooled), so they can be kept without a copy
        call.done(answer, keepAlive, null);
    }

    /** The raw decoder's response: its header block is handed on as it is. */
    private void completeRaw() {
        RawResponseHead response = rawHead;
        ByteBuf content = body;
        rawHead = null;
        body = null;
        Callback call = take();
        Response answer;
        if (content == null) {
            answer = Response.withBlock(response.status(), response.block(), (byte[]) null);
        } else if (passThrough) {
            answer = Response.passingThrough(response.status(), response.block(), content); // hands over our reference
        } else {
            answer = Response.withBlock(response.status(), response.block(), ByteBufUtil.getBytes(content));
            content.release();
        }
        call.done(answer, response.keepAlive(), null);
    }

    private boolean failed(DecoderResult result) {
        if (!result.isFailure()) return false;
        fail(new UpstreamException(UpstreamException.Kind.PROTOCOL, upstream,
                String.valueOf(result.cause().getMessage()), result.cause()));
        ctx.close();
        return true;
    }

    private UpstreamException protocol(String why) {
        return new UpstreamException(UpstreamException.Kind.PROTOCOL, upstream, why, null);
    }

    private void tooLarge() {
        fail(new UpstreamException(UpstreamException.Kind.TOO_LARGE, upstream,
                "more than " + maxResponseBytes + " bytes", null));
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        fail(new UpstreamException(UpstreamException.Kind.RESET, upstream, null, null));
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        discardPartial();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            if (current == null) ctx.close();
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        UpstreamException.Kind kind = cause instanceof TooLongFrameException
                ? UpstreamException.Kind.TOO_LARGE : UpstreamException.Kind.RESET;
        fail(new UpstreamException(kind, upstream, cause.getMessage(), cause));
        ctx.close();
    }
}
