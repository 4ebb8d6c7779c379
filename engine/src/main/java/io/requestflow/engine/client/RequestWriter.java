package io.requestflow.engine.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.requestflow.engine.http.HeadBytes;
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
 * were set ({@code DefaultHttpHeaders} validates) or parsed, as they were for Netty's encoder. The head
 * is assembled in a {@link HeadBytes} and copied into its buffer once.
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
        HeadBytes out = HeadBytes.take();
        out.put(method.asciiName()).put((byte) ' ');
        String uri = request.uri();
        if (uri.isEmpty()) {
            out.put((byte) '/');
        } else if (ascii(uri)) {
            out.putLatin1(uri);
        } else {
            out.put(uri.getBytes(StandardCharsets.UTF_8)); // as Netty's encoder does
        }
        out.put(HTTP_1_1_CRLF);
        HttpHeaders added = request.addedHeaders(); // a forwarded request: see Request.forwarded
        List<String> listed = added == null ? null : HopByHop.connectionTokens(headers);
        boolean host = false;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            CharSequence key = e.getKey();
            // framing is ours: the body is whole, so it goes with a Content-Length, never chunked
            if (framing(key)) continue;
            if (added != null && (HopByHop.hopByHop(key, listed) || replaced(added, key))) continue;
            if (!host && HttpHeaderNames.HOST.contentEqualsIgnoreCase(key)) host = true;
            out.putLatin1(key).put(COLON_SPACE).putLatin1(e.getValue()).put(CRLF);
        }
        if (added != null) {
            for (Iterator<Map.Entry<CharSequence, CharSequence>> it = added.iteratorCharSequence(); it.hasNext(); ) {
                Map.Entry<CharSequence, CharSequence> e = it.next();
                CharSequence key = e.getKey();
                if (framing(key)) continue;
                if (!host && HttpHeaderNames.HOST.contentEqualsIgnoreCase(key)) host = true;
                out.putLatin1(key).put(COLON_SPACE).putLatin1(e.getValue()).put(CRLF);
            }
        }
        if (!host) out.put(HOST).putLatin1(upstream.toString()).put(CRLF);
        String m = request.method();
        if (body.length > 0 || !(m.equals("GET") || m.equals("HEAD"))) {
            out.put(CONTENT_LENGTH).putDecimal(body.length).put(CRLF);
        }
        out.put(CRLF);
        ByteBuf buf = alloc.buffer(out.size());
        out.writeTo(buf);
        return buf;
    }

    private static boolean framing(CharSequence key) {
        return HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(key)
                || HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(key);
    }

    private static boolean ascii(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) >= 0x80) return false;
        return true;
    }

    /** Whether {@code added} (two or three entries) has a header named {@code name} (any case; no iterator). */
    private static boolean replaced(HttpHeaders added, CharSequence name) {
        return added.contains(name);
    }
}
