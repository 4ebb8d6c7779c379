package io.requestflow.engine.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpVersion;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.net.HostPort;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The request bytes are what Netty's encoder wrote for the same request (as the client used to send it). */
class RequestWriterTest {
    private static final HostPort UPSTREAM = new HostPort("10.0.0.7", 8080);

    /** The old way: framing fixed on the headers, then Netty's encoder. */
    private static String netty(String method, String uri, HttpHeaders headers, byte[] body) {
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        if (!headers.contains(HttpHeaderNames.HOST)) headers.set(HttpHeaderNames.HOST, UPSTREAM.toString());
        if (body.length > 0 || !(method.equals("GET") || method.equals("HEAD"))) {
            headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        } else {
            headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        }
        EmbeddedChannel ch = new EmbeddedChannel(new HttpRequestEncoder());
        ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), uri,
                Unpooled.wrappedBuffer(body), headers, EmptyHttpHeaders.INSTANCE));
        StringBuilder out = new StringBuilder();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            out.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return out.toString();
    }

    private static String ours(String method, String uri, HttpHeaders headers, byte[] body) {
        ByteBuf head = RequestWriter.head(ByteBufAllocator.DEFAULT, new Request(method, uri, headers, body, null), UPSTREAM);
        try {
            return head.toString(StandardCharsets.ISO_8859_1) + new String(body, StandardCharsets.ISO_8859_1);
        } finally {
            head.release();
        }
    }

    private static void same(String method, String uri, String body, String... nameValues) {
        HttpHeaders a = new DefaultHttpHeaders();
        HttpHeaders b = new DefaultHttpHeaders();
        for (int i = 0; i < nameValues.length; i += 2) {
            a.add(nameValues[i], nameValues[i + 1]);
            b.add(nameValues[i], nameValues[i + 1]);
        }
        byte[] bytes = body.getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(netty(method, uri, a, bytes), ours(method, uri, b, bytes));
    }

    @Test
    void matchesNettysEncoder() {
        same("GET", "/1k.txt", "", "Host", "front:80", "x-request-id", "abc", "traceparent", "00-1-2-01");
        same("GET", "/", "", "Accept", "*/*");                                       // Host added
        same("HEAD", "/x?y=1", "", "host", "h", "Content-Length", "0");              // no length on a bodiless GET/HEAD
        same("POST", "/orders", "{\"a\":1}", "Host", "h", "Content-Type", "application/json",
                "Transfer-Encoding", "chunked", "Content-Length", "99");             // framing is the body's
        same("DELETE", "/orders/1", "", "Host", "h");                                // a length of 0
        same("GET", "/caf\u00e9", "", "Host", "h", "X-Latin", "\u00e9t\u00e9", "X-Wide", "\u4e2d"); // Latin-1; '?' beyond
        same("PATCH", "", "x", "Host", "h", "X-Twice", "1", "X-Twice", "2");          // empty target is "/"
    }

    /** A forwarded request is written as the copy the proxy used to make: hop-by-hop out, its own headers replaced. */
    @Test
    void aForwardedRequestMatchesTheCopyWithTheProxysHeaders() {
        String[][] cases = {
                {"Host", "front", "Connection", "keep-alive, X-Secret", "X-Secret", "s", "Keep-Alive", "5",
                        "X-Request-Id", "client-id", "Accept", "*/*", "traceparent", "00-aa-bb-01", "TE", "trailers",
                        "Upgrade", "h2c", "tracestate", "k=v", "Proxy-Authorization", "p"},
                {"Accept", "*/*"},
        };
        for (String[] nameValues : cases) {
            HttpHeaders in = new DefaultHttpHeaders();
            for (int i = 0; i < nameValues.length; i += 2) in.add(nameValues[i], nameValues[i + 1]);
            HttpHeaders added = new DefaultHttpHeaders();
            added.set("x-request-id", "ours");
            added.set("traceparent", "00-cc-dd-01");
            HttpHeaders copy = io.requestflow.engine.http.HopByHop.forwardCopy(in);
            copy.set("x-request-id", "ours");
            copy.set("traceparent", "00-cc-dd-01");
            // as the Forwarder adds them: a hash table (with tracestate) or, usually, a flat read-only list
            HttpHeaders flat = new io.netty.handler.codec.http.ReadOnlyHttpHeaders(false,
                    "x-request-id", "ours", "traceparent", "00-cc-dd-01");
            for (HttpHeaders ours : new HttpHeaders[] {added, flat}) {
                Request forwarded = Request.forwarded(new Request("GET", "/p", in, new byte[0], null), ours);
                ByteBuf head = RequestWriter.head(ByteBufAllocator.DEFAULT, forwarded, UPSTREAM);
                try {
                    assertEquals(netty("GET", "/p", copy, new byte[0]), head.toString(StandardCharsets.ISO_8859_1));
                } finally {
                    head.release();
                }
            }
        }
    }

    @Test
    void aMethodThatIsNotATokenIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> RequestWriter.head(ByteBufAllocator.DEFAULT,
                new Request("GE T", "/", new DefaultHttpHeaders(), new byte[0], null), UPSTREAM));
    }
}
