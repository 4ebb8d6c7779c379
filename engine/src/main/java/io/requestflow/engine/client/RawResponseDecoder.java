package io.requestflow.engine.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.util.concurrent.FastThreadLocal;
import io.requestflow.engine.http.HeaderBlock;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Reads the plain responses a proxy sees nearly always (HTTP/1.1, a final status with a body, one
 * Content-Length, simple header lines) without making an object per header: the head becomes a
 * {@link RawResponseHead} whose header lines stay bytes, the body follows as {@code HttpContent}
 * pieces. Anything else - chunked or unframed bodies, HTTP/1.0, 1xx/204/304, answers to HEAD, two
 * Content-Lengths, a Connection header naming other headers, folded or odd lines, an over-long head -
 * goes byte for byte to Netty's decoder behind it, which parses (or rejects) it as before.
 */
final class RawResponseDecoder extends ByteToMessageDecoder {
    /** Netty's client decoder takes a 4 KB status line and 8 KB of headers; longer heads go to it. */
    private static final int MAX_HEAD = 12 * 1024;
    private static final int MAX_LINES = 64;

    private enum State { HEAD, BODY, PASS }

    private State state = State.HEAD;
    private long remaining;
    /** The response to the call in flight is handed to Netty's decoder (set per call). */
    private boolean passThisResponse;

    /** Before each request: whether its answer may be read here (not for HEAD or CONNECT). */
    void expect(boolean bodyAllowed) {
        passThisResponse = !bodyAllowed;
        if (state == State.PASS) state = State.HEAD; // the previous response ended (one call at a time)
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case PASS -> out.add(in.readRetainedSlice(in.readableBytes()));
            case BODY -> {
                int n = (int) Math.min(remaining, in.readableBytes());
                remaining -= n;
                if (remaining == 0) {
                    state = State.HEAD;
                    out.add(new DefaultLastHttpContent(in.readRetainedSlice(n)));
                } else {
                    out.add(new DefaultHttpContent(in.readRetainedSlice(n)));
                }
            }
            case HEAD -> {
                if (passThisResponse) {
                    pass(in, out);
                    return;
                }
                // the head is looked at in a plain array (one copy), not byte by byte through the buffer
                byte[] bytes = SCRATCH.get();
                int readable = in.readableBytes();
                int copied = Math.min(readable, FIRST_LOOK);
                in.getBytes(in.readerIndex(), bytes, 0, copied);
                int end = headEnd(bytes, copied);
                if (end == -1 && readable > copied) {
                    copied = Math.min(readable, MAX_HEAD);
                    in.getBytes(in.readerIndex(), bytes, 0, copied);
                    end = headEnd(bytes, copied);
                }
                if (end == -1) {
                    if (readable > MAX_HEAD) pass(in, out);
                    return;
                }
                RawResponseHead head = end < 0 ? null : parse(bytes, end);
                if (head == null) {
                    pass(in, out);
                    return;
                }
                in.skipBytes(end);
                long length = head.block().contentLength();
                if (length <= in.readableBytes()) { // the usual case: the body came with the head, one message
                    out.add(head.withBody(length == 0 ? null : in.readRetainedSlice((int) length)));
                } else {
                    out.add(head);
                    state = State.BODY;
                    remaining = head.block().contentLength();
                }
            }
        }
    }

    private void pass(ByteBuf in, List<Object> out) {
        state = State.PASS;
        out.add(in.readRetainedSlice(in.readableBytes()));
    }

    /** Bytes of a response copied for a first look: heads are usually a few hundred bytes. */
    private static final int FIRST_LOOK = 512;
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[MAX_HEAD];
        }
    };

    /**
     * Index just past the CRLFCRLF ending the head in the first {@code n} bytes; -1 when it has not all
     * arrived; -2 at a line feed without its carriage return (such heads are left to Netty's decoder).
     */
    static int headEnd(byte[] b, int n) {
        int i = 0;
        while (true) {
            // to the next line feed, skipping eight bytes at a time while a word holds none
            while (i + 8 <= n) {
                long x = (long) LONGS.get(b, i) ^ LFS;
                if (((x - ONES) & ~x & HIGHS) != 0) break;
                i += 8;
            }
            while (i < n && b[i] != '\n') i++;
            if (i >= n) return -1;
            if (i == 0 || b[i - 1] != '\r') return -2;
            if (i + 2 < n && b[i + 1] == '\r' && b[i + 2] == '\n') return i + 3;
            i++;
        }
    }

    private static final long LFS = 0x0a0a0a0a0a0a0a0aL;

    /** As above, for the readable bytes of {@code in} (relative to its reader index). */
    static int headEnd(ByteBuf in) {
        byte[] b = new byte[Math.min(in.readableBytes(), MAX_HEAD)];
        in.getBytes(in.readerIndex(), b);
        return headEnd(b, b.length);
    }

    /**
     * The head in {@code [start, end)} if it is one this decoder takes, else null. Every rule here only
     * narrows what is accepted: a head it declines is still parsed by Netty's decoder.
     */
    static RawResponseHead parse(ByteBuf in, int start, int end) {
        byte[] head = new byte[end - start];
        in.getBytes(start, head);
        return parseOwn(head);
    }

    /** As above, for the head in the first {@code end} bytes of {@code bytes} (the block keeps a copy of them). */
    static RawResponseHead parse(byte[] bytes, int end) {
        return parseOwn(java.util.Arrays.copyOf(bytes, end));
    }

    /** {@code head}: exactly the head's bytes, in an array the returned block may keep. */
    private static RawResponseHead parseOwn(byte[] head) {
        // status line: "HTTP/1.1 SSS reason\r\n" (reason may be empty)
        if (head.length < 14 || head[0] != 'H' || head[1] != 'T' || head[2] != 'T' || head[3] != 'P'
                || head[4] != '/' || head[5] != '1' || head[6] != '.' || head[7] != '1' || head[8] != ' ') {
            return null;
        }
        int status = digit(head[9]) * 100 + digit(head[10]) * 10 + digit(head[11]);
        if (status < 200 || status > 599 || status == 204 || status == 304) return null;
        int i = 12;
        if (head[i] == ' ') {
            for (i++; head[i] != '\r'; i++) if (!fieldChar(head[i])) return null;
        }
        if (head[i] != '\r' || head[i + 1] != '\n') return null;
        i += 2;

        int[] lines = LINES.get(); // the block keeps an exact-size copy
        int count = 0;
        long dropped = 0; // lines not sent on: framing and hop-by-hop headers
        long contentLength = -1;
        boolean close = false;
        int last = head.length - 2; // the final CRLF
        while (i < last) {
            int lineStart = i;
            while (i < last && tchar(head[i])) i++;
            int nameLength = i - lineStart;
            if (nameLength == 0 || head[i] != ':') return null;
            i++;
            while (head[i] == ' ' || head[i] == '\t') i++;
            int valueStart = i;
            i = valueEnd(head, i);
            if (i < 0 || head[i + 1] != '\n') return null;
            int valueEnd = i;
            while (valueEnd > valueStart && (head[valueEnd - 1] == ' ' || head[valueEnd - 1] == '\t')) valueEnd--;
            i += 2;
            if (count == MAX_LINES) return null;
            switch (kind(head, lineStart, nameLength)) {
                case CONTENT_LENGTH -> {
                    if (contentLength >= 0) return null; // a second one: let Netty's decoder judge it
                    contentLength = digits(head, valueStart, valueEnd);
                    if (contentLength < 0) return null;
                    dropped |= 1L << count;
                }
                case TRANSFER_ENCODING -> {
                    return null;
                }
                case CONNECTION -> {
                    int tokens = connectionTokens(head, valueStart, valueEnd);
                    if (tokens < 0) return null; // names other headers: HopByHop strips those
                    if (tokens == 1) close = true;
                    dropped |= 1L << count;
                }
                case HOP_BY_HOP -> dropped |= 1L << count;
                case OTHER -> { }
            }
            int at = count * 5;
            lines[at] = lineStart;
            lines[at + 1] = nameLength;
            lines[at + 2] = valueStart;
            lines[at + 3] = valueEnd;
            lines[at + 4] = i;
            count++;
        }
        if (contentLength < 0) return null;
        return new RawResponseHead(status,
                new HeaderBlock(head, java.util.Arrays.copyOf(lines, count * 5), count, dropped, contentLength), !close, null);
    }

    /** Per thread: the line table of the head being parsed, MAX_LINES long. */
    private static final FastThreadLocal<int[]> LINES = new FastThreadLocal<>() {
        @Override
        protected int[] initialValue() {
            return new int[MAX_LINES * 5];
        }
    };

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long SPACES = 0x2020202020202020L;
    private static final long DELS = 0x7f7f7f7f7f7f7f7fL;
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /**
     * The index of the CR ending a field value that starts at {@code i}, or -1 at a character a value
     * may not hold (controls other than tab, DEL). Eight bytes at a time: a word without any byte below
     * 0x20 or equal to 0x7f is all field content (obs-text included) and is skipped at once.
     */
    private static int valueEnd(byte[] b, int i) {
        while (i + 8 <= b.length) {
            long w = (long) LONGS.get(b, i);
            long x = w ^ DELS;
            boolean plain = (((w - SPACES) & ~w & HIGHS) | ((x - ONES) & ~x & HIGHS)) == 0;
            if (!plain) break;
            i += 8;
        }
        for (; i < b.length; i++) {
            byte c = b[i];
            if (c == '\r') return i;
            if (!fieldChar(c)) return -1;
        }
        return -1;
    }

    private enum Kind { CONTENT_LENGTH, TRANSFER_ENCODING, CONNECTION, HOP_BY_HOP, OTHER }

    private static final String[] HOP_BY_HOP = {"keep-alive", "proxy-connection", "te", "trailer", "upgrade",
            "proxy-authenticate", "proxy-authorization"};

    /** By length first: most names (Server, Date, Content-Type, ETag…) are told apart without a comparison. */
    private static Kind kind(byte[] b, int start, int length) {
        return switch (length) {
            case 14 -> is(b, start, length, "content-length") ? Kind.CONTENT_LENGTH : Kind.OTHER;
            case 17 -> is(b, start, length, "transfer-encoding") ? Kind.TRANSFER_ENCODING : Kind.OTHER;
            case 10 -> is(b, start, length, "connection") ? Kind.CONNECTION
                    : is(b, start, length, "keep-alive") ? Kind.HOP_BY_HOP : Kind.OTHER;
            case 2, 7, 16, 18, 19 -> {
                for (String name : HOP_BY_HOP) if (is(b, start, length, name)) yield Kind.HOP_BY_HOP;
                yield Kind.OTHER;
            }
            default -> Kind.OTHER;
        };
    }

    /** Case-insensitive match of a lower-case ASCII name. */
    private static boolean is(byte[] b, int start, int length, String name) {
        if (length != name.length()) return false;
        for (int i = 0; i < length; i++) {
            int c = b[start + i];
            if (c >= 'A' && c <= 'Z') c += 32;
            if (c != name.charAt(i)) return false;
        }
        return true;
    }

    /** 0: only keep-alive; 1: close among them; -1: a token naming anything else, or an empty list. */
    private static int connectionTokens(byte[] b, int start, int end) {
        int result = 0;
        int seen = 0;
        int i = start;
        while (i <= end) {
            int tokenEnd = i;
            while (tokenEnd < end && b[tokenEnd] != ',') tokenEnd++;
            int s = i;
            int e = tokenEnd;
            while (s < e && (b[s] == ' ' || b[s] == '\t')) s++;
            while (e > s && (b[e - 1] == ' ' || b[e - 1] == '\t')) e--;
            if (e > s) {
                seen++;
                if (is(b, s, e - s, "close")) result = 1;
                else if (!is(b, s, e - s, "keep-alive")) return -1;
            }
            i = tokenEnd + 1;
        }
        return seen == 0 ? -1 : result;
    }

    /** 1 to 18 decimal digits without a leading zero (Netty would keep "05" as written), else -1. */
    private static long digits(byte[] b, int start, int end) {
        if (end <= start || end - start > 18 || (b[start] == '0' && end - start > 1)) return -1;
        long value = 0;
        for (int i = start; i < end; i++) {
            int d = digit(b[i]);
            if (d < 0) return -1;
            value = value * 10 + d;
        }
        return value;
    }

    private static int digit(byte b) {
        return b >= '0' && b <= '9' ? b - '0' : -1000;
    }

    /** RFC 9110 token characters, by table. */
    private static final boolean[] TCHAR = new boolean[256];

    static {
        for (int c = '0'; c <= '9'; c++) TCHAR[c] = true;
        for (int c = 'a'; c <= 'z'; c++) TCHAR[c] = true;
        for (int c = 'A'; c <= 'Z'; c++) TCHAR[c] = true;
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) TCHAR[c] = true;
    }

    private static boolean tchar(byte b) {
        return TCHAR[b & 0xff];
    }

    /** Field content (and reason phrase) characters: visible ASCII, space, tab, obs-text; no CR, LF or other controls. */
    private static boolean fieldChar(byte b) {
        return b == '\t' || (b >= 0x20 && b != 0x7f);
    }
}
