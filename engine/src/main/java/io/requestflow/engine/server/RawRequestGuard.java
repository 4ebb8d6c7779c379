package io.requestflow.engine.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.requestflow.engine.http.Response;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * Sits before the HTTP codec and follows the message framing itself (heads, Content-Length bodies,
 * chunks) so that every request head on a keep-alive connection reaches the {@link RawRequestInspector}
 * byte for byte. Bytes are passed on unchanged; a rejected request is answered here and the
 * connection closed, so nothing after it on the connection is ever parsed.
 */
final class RawRequestGuard extends ChannelInboundHandlerAdapter {
    private enum State { HEAD, FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, PASS, CLOSED }

    private static final int MAX_CHUNK_LINE = 1024;

    private final RawRequestInspector inspector;
    private final int maxHeadBytes;
    private ByteBuf pending;
    private State state = State.HEAD;
    private long remaining;

    RawRequestGuard(RawRequestInspector inspector, int maxHeadBytes) {
        this.inspector = inspector;
        this.maxHeadBytes = maxHeadBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in) || state == State.PASS) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (state == State.CLOSED) {
            in.release();
            return;
        }
        if (pending == null) {
            pending = in; // the read buffer itself: what it holds is passed on as slices of it, no copy
        } else {
            pending.writeBytes(in); // a buffer of our own that nothing was passed on from yet (keepTheRest)
            in.release();
        }
        try {
            process(ctx);
        } finally {
            keepTheRest(ctx);
        }
    }

    /**
     * What is left unread (part of a head or of a chunk line, so rarely anything) waits for the next read in a
     * buffer of its own. Bytes already passed on are slices the codec may still hold (a chunked body's earlier
     * chunks until its last), so the rest is never moved to the front of their buffer under them, nor appended
     * to the read buffer it arrived in.
     */
    private void keepTheRest(ChannelHandlerContext ctx) {
        if (pending == null) return;
        if (!pending.isReadable()) {
            pending.release();
            pending = null;
        } else {
            ByteBuf rest = ctx.alloc().buffer(Math.max(256, pending.readableBytes()));
            rest.writeBytes(pending);
            pending.release();
            pending = rest;
        }
    }

    private void process(ChannelHandlerContext ctx) {
        InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
        while (pending != null && pending.isReadable() && state != State.CLOSED) {
            switch (state) {
                case HEAD -> {
                    int end = headEnd(pending);
                    if (end < 0) {
                        if (pending.readableBytes() > maxHeadBytes) {
                            state = State.PASS; // the codec answers an over-long head itself
                            ctx.fireChannelRead(pending.readRetainedSlice(pending.readableBytes()));
                        }
                        return;
                    }
                    ByteBuf head;
                    if (end == pending.writerIndex()) {
                        // the read ends with this head (the usual request without a body): the buffer itself goes
                        // on, as without the guard, since the codec reads a slice through an extra layer per access
                        head = pending;
                        pending = null;
                    } else {
                        head = pending.readRetainedSlice(end - pending.readerIndex());
                    }
                    byte[] bytes = new byte[head.readableBytes()];
                    head.getBytes(head.readerIndex(), bytes);
                    Response rejected = inspectHead(bytes, peer);
                    if (rejected != null) {
                        head.release();
                        reject(ctx, rejected);
                        return;
                    }
                    ctx.fireChannelRead(head);
                }
                case FIXED, CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, pending.readableBytes());
                    ctx.fireChannelRead(pending.readRetainedSlice(n));
                    remaining -= n;
                    if (remaining == 0) state = state == State.FIXED ? State.HEAD : State.CHUNK_END;
                }
                case CHUNK_END -> {
                    if (pending.readableBytes() < 2) return;
                    if (pending.getByte(pending.readerIndex()) != '\r' || pending.getByte(pending.readerIndex() + 1) != '\n') {
                        reject(ctx, inspector.badFraming("chunk data not followed by CRLF", peer));
                        return;
                    }
                    ctx.fireChannelRead(pending.readRetainedSlice(2));
                    state = State.CHUNK_SIZE;
                }
                case CHUNK_SIZE, TRAILERS -> {
                    int lf = pending.indexOf(pending.readerIndex(), pending.writerIndex(), (byte) '\n');
                    if (lf < 0) {
                        if (pending.readableBytes() > MAX_CHUNK_LINE) {
                            reject(ctx, inspector.badFraming("chunk line too long", peer));
                        }
                        return;
                    }
                    int len = lf + 1 - pending.readerIndex();
                    String line = pending.toString(pending.readerIndex(), len, StandardCharsets.ISO_8859_1);
                    if (!line.endsWith("\r\n")) {
                        reject(ctx, inspector.badFraming("chunk line ends with a bare LF", peer));
                        return;
                    }
                    line = line.substring(0, line.length() - 2);
                    if (state == State.TRAILERS) {
                        if (line.isEmpty()) state = State.HEAD;
                    } else {
                        long size = chunkSize(line);
                        if (size < 0) {
                            reject(ctx, inspector.badFraming("invalid chunk size", peer));
                            return;
                        }
                        remaining = size;
                        state = size == 0 ? State.TRAILERS : State.CHUNK_DATA;
                    }
                    ctx.fireChannelRead(pending.readRetainedSlice(len));
                }
                default -> { return; }
            }
        }
    }

    /** Index just past the blank line ending the head (CRLFCRLF or a bare-LF variant), or -1. */
    static int headEnd(ByteBuf buf) {
        int start = buf.readerIndex();
        int to = buf.writerIndex();
        while (start < to && (buf.getByte(start) == '\r' || buf.getByte(start) == '\n')) start++;
        // Netty's indexOf compares eight bytes at a time; only the head's few LFs are looked at one by one
        for (int i = buf.indexOf(start, to, (byte) '\n'); i >= 0; i = buf.indexOf(i + 1, to, (byte) '\n')) {
            int j = i + 1;
            if (j < to && buf.getByte(j) == '\r') j++;
            if (j < to && buf.getByte(j) == '\n') return j + 1;
        }
        return -1;
    }

    private Response inspectHead(byte[] bytes, InetSocketAddress peer) {
        RawHead head = RawHead.split(bytes);
        if (head.lineCount() == 0) return null;
        Response rejected = inspector.inspect(head, peer);
        if (rejected == null) frame(head);
        return rejected;
    }

    /** Chooses how the body is framed, as the codec will: chunked wins over Content-Length. */
    private void frame(RawHead head) {
        long length = 0;
        boolean chunked = false;
        byte[] b = head.bytes();
        for (int i = 0; i < head.headerCount(); i++) {
            int from = head.start(i);
            int to = head.end(i);
            int colon = HeaderLine.colon(b, from, to);
            if (colon < 0) continue;
            // only these two headers matter: their values are the only text made
            boolean te = HeaderLine.named(b, from, colon, "transfer-encoding");
            if (!te && !HeaderLine.named(b, from, colon, "content-length")) continue;
            String value = new String(b, colon + 1, to - colon - 1, StandardCharsets.ISO_8859_1).trim();
            if (te && value.toLowerCase(Locale.ROOT).contains("chunked")) chunked = true;
            if (!te) {
                try {
                    length = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    length = 0; // the codec rejects it
                }
            }
        }
        if (chunked) {
            state = State.CHUNK_SIZE;
        } else if (length > 0) {
            state = State.FIXED;
            remaining = length;
        } else {
            state = State.HEAD;
        }
    }

    /** Hex chunk size with optional extensions; -1 if malformed or absurd. */
    static long chunkSize(String line) {
        int semi = line.indexOf(';');
        String hex = (semi >= 0 ? line.substring(0, semi) : line).stripTrailing();
        if (hex.isEmpty() || hex.length() > 15) return -1;
        long size = 0;
        for (int i = 0; i < hex.length(); i++) {
            int d = Character.digit(hex.charAt(i), 16);
            if (d < 0) return -1;
            size = size * 16 + d;
        }
        return size;
    }

    private void reject(ChannelHandlerContext ctx, Response response) {
        state = State.CLOSED;
        if (pending != null) pending.skipBytes(pending.readableBytes());
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(response.status()).append(' ')
                .append(HttpResponseStatus.valueOf(response.status()).reasonPhrase()).append("\r\n");
        for (Map.Entry<String, String> h : response.headers()) {
            if (h.getKey().equalsIgnoreCase("content-length") || h.getKey().equalsIgnoreCase("connection")) continue;
            head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        head.append("content-length: ").append(response.body().length).append("\r\nconnection: close\r\n\r\n");
        ByteBuf out = Unpooled.wrappedBuffer(head.toString().getBytes(StandardCharsets.ISO_8859_1), response.body());
        ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }
}
