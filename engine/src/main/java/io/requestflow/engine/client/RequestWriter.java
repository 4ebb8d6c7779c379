package io.requestflow.engine.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.AsciiString;
import io.requestflow.engine.http.HopByHop;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.net.HostPort;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Encodes a request to an upstream as HTTP/1.1 bytes: what Netty's request encoder writes for a whole
 * message (request line, the headers as they are, Host when missing, Content-Length), with each
 * header copied as a byte array instead of character by character. The headers were checked when they
 * were set ({@code DefaultHttpHeaders} validates) or parsed, as they were for Netty's encoder.
 */
final class RequestWriter {
    private static final byte[] HTTP_1_1_CRLF = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COLON_SPACE = {':', ' '};
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] HOST = "host: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_LENGTH = "content-length: ".getBytes(StandardCharsets.US_ASCII);

    private RequestWriter() {}

    /** The request line and headers; the body follows as its own buffer. */
    static ByteBuf head(ByteBufAllocator alloc, Request request, HostPort upstream) {
        HttpMethod method = HttpMethod.valueOf(request.method()); // rejects a method that is not a token
        byte[] body = request.body();
        HttpHeaders headers = request.headers();
        ByteBuf out = alloc.buffer(256);
        AsciiString name = method.asciiName();
        out.writeBytes(name.array(), name.arrayOffset(), name.length()).writeByte(' ');
        String uri = request.uri();
        out.writeBytes((uri.isEmpty() ? "/" : uri).getBytes(StandardCharsets.UTF_8)); // as Netty's encoder does
        out.writeBytes(HTTP_1_1_CRLF);
        HttpHeaders added = request.addedHeaders(); // a forwarded request: see Request.forwarded
        List<String> listed = added == null ? null : HopByHop.connectionTokens(headers);
        boolean host = false;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            CharSequence key = e.getKey();
            // framing is ours: the body is whole, so it goes with a Content-Length, never chunked
            if (HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(key)
                    || HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(key)) {
                continue;
            }
            if (added != null && (HopByHop.hopByHop(key, listed) || replaced(added, key))) continue;
            if (!host && HttpHeaderNames.HOST.contentEqualsIgnoreCase(key)) host = true;
            write(out, key);
            out.writeBytes(COLON_SPACE);
            write(out, e.getValue());
            out.writeBytes(CRLF);
        }
        if (added != null) {
            for (Iterator<Map.Entry<CharSequence, CharSequence>> it = added.iteratorCharSequence(); it.hasNext(); ) {
                Map.Entry<CharSequence, CharSequence> e = it.next();
                CharSequence key = e.getKey();
                if (HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(key)
                        || HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(key)) {
                    continue;
                }
                if (!host && HttpHeaderNames.HOST.contentEqualsIgnoreCase(key)) host = true;
                write(out, key);
                out.writeBytes(COLON_SPACE);
                write(out, e.getValue());
                out.writeBytes(CRLF);
            }
        }
        if (!host) write(out.writeBytes(HOST), upstream.toString()).writeBytes(CRLF);
        String m = request.method();
        if (body.length > 0 || !(m.equals("GET") || m.equals("HEAD"))) {
            write(out.writeBytes(CONTENT_LENGTH), Integer.toString(body.length)).writeBytes(CRLF);
        }
        return out.writeBytes(CRLF);
    }

    /** Whether {@code added} (two or three entries) has a header named {@code name}. */
    private static boolean replaced(HttpHeaders added, CharSequence name) {
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = added.iteratorCharSequence(); it.hasNext(); ) {
            CharSequence key = it.next().getKey();
            if (key.length() == name.length() && AsciiString.contentEqualsIgnoreCase(key, name)) return true;
        }
        return false;
    }

    /** As Netty's encoder: one byte per character, '?' for a character beyond Latin-1. */
    private static ByteBuf write(ByteBuf out, CharSequence text) {
        if (text instanceof AsciiString ascii) {
            return out.writeBytes(ascii.array(), ascii.arrayOffset(), ascii.length());
        }
        return out.writeBytes(text.toString().getBytes(StandardCharsets.ISO_8859_1));
    }
}
