package io.requestflow.engine.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

import java.nio.charset.StandardCharsets;

/**
 * One HTTP response with its whole body; headers are mutable so stages can decorate it on the way back.
 *
 * <p>A proxied response may hold its body as the pooled buffer it arrived in ({@link #passingThrough}),
 * so it goes back out without being copied. Such a response owns one reference to that buffer: it is
 * released when the body is written ({@link #takeContent}), read as bytes ({@link #body}, which copies
 * it once), or dropped ({@link #release}). Code that lets such a response go without doing either of
 * those must call {@link #release}.
 */
public final class Response {
    private static final byte[] EMPTY = new byte[0];

    private final int status;
    /** Null while the headers are still the upstream's {@link #block} as received. */
    private HttpHeaders headers;
    private HeaderBlock block;
    /** The body as bytes; null while it is still {@link #content}, or after the content was handed on. */
    private byte[] body;
    /** The body as a buffer this response owns (pass-through), or null. */
    private ByteBuf content;
    private int contentLength;

    public Response(int status, HttpHeaders headers, byte[] body) {
        this.status = status;
        this.headers = headers;
        this.body = body == null ? EMPTY : body;
    }

    private Response(int status, HttpHeaders headers, ByteBuf content) {
        this.status = status;
        this.headers = headers;
        this.content = content;
        this.contentLength = content.readableBytes();
    }

    /** A response that takes over one reference to {@code content}. */
    public static Response passingThrough(int status, HttpHeaders headers, ByteBuf content) {
        return new Response(status, headers, content);
    }

    /**
     * A proxied response whose headers are still the block they arrived in (see {@link HeaderBlock}):
     * it takes over one reference to {@code content}, as {@link #passingThrough} does.
     */
    public static Response passingThrough(int status, HeaderBlock block, ByteBuf content) {
        Response response = new Response(status, (HttpHeaders) null, content);
        response.block = block;
        return response;
    }

    /** As above, with the body as bytes. */
    public static Response withBlock(int status, HeaderBlock block, byte[] body) {
        Response response = new Response(status, (HttpHeaders) null, body);
        response.block = block;
        return response;
    }

    /**
     * Status 0: no answer at all; the listener resets the client's connection (TCP RST) instead of writing
     * one, the way a crashed or killed process looks to its caller (an injected fault, {@code ./flow break}).
     */
    public static final int RESET = 0;

    public static Response connectionReset() {
        return new Response(RESET, new DefaultHttpHeaders(), EMPTY);
    }

    public static Response of(int status, String contentType, byte[] body) {
        HttpHeaders headers = new DefaultHttpHeaders();
        if (contentType != null) headers.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        return new Response(status, headers, body);
    }

    public static Response text(int status, String text) {
        return of(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    public static Response json(int status, Object value) {
        return of(status, "application/json", Json.bytes(value));
    }

    public static Response empty(int status) {
        return new Response(status, new DefaultHttpHeaders(), EMPTY);
    }

    public int status() {
        return status;
    }

    /** The headers; a response still holding its upstream's {@link HeaderBlock} turns it into headers here. */
    public HttpHeaders headers() {
        if (headers == null && block != null) {
            headers = block.toHeaders();
            block = null;
        }
        return headers;
    }

    /** The first value of a header, without turning a {@link HeaderBlock} into headers. */
    public String headerValue(CharSequence name) {
        return block != null ? block.get(name) : headers.get(name);
    }

    /** The upstream's header block as received while nobody needed it as headers, else null. */
    public HeaderBlock headerBlock() {
        return block;
    }

    /** The body as bytes; a passed-through body is copied out of its buffer (once) and the buffer released. */
    public synchronized byte[] body() {
        if (body == null) {
            if (content == null) throw new IllegalStateException("the body of this response was already handed on");
            body = ByteBufUtil.getBytes(content);
            content.release();
            content = null;
        }
        return body;
    }

    /** The body's length, without copying a passed-through body. */
    public synchronized int bodyLength() {
        return body != null ? body.length : contentLength;
    }

    /**
     * The body as a buffer the caller now owns and must write or release: the passed-through buffer
     * itself, or the bytes wrapped. The response keeps no body afterwards.
     */
    public synchronized ByteBuf takeContent() {
        if (content != null) {
            ByteBuf taken = content;
            content = null;
            return taken;
        }
        if (body == null) throw new IllegalStateException("the body of this response was already handed on");
        ByteBuf wrapped = body.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
        contentLength = body.length;
        body = null;
        return wrapped;
    }

    /** Lets go of a passed-through body (a response that will not be sent on); harmless otherwise and when repeated. */
    public synchronized void release() {
        if (content != null) {
            content.release();
            content = null;
            body = EMPTY;
        }
    }

    public String bodyText() {
        return new String(body(), StandardCharsets.UTF_8);
    }

    public Response header(CharSequence name, Object value) {
        if (block != null && name instanceof io.netty.util.AsciiString ascii) {
            block.set(ascii, String.valueOf(value));
        } else {
            headers().set(name, value);
        }
        return this;
    }

    @Override
    public String toString() {
        return status + " (" + bodyLength() + " bytes)";
    }
}
