package io.requestflow.engine.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bodyless shortcut hands the server exactly what Netty's aggregator would, for every kind of request. */
class BoundedAggregatorTest {
    private static final String[] REQUESTS = {
            "GET /1k.txt HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /p?q=1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\nX-Request-Id: abc\r\n\r\n",
            "GET / HTTP/1.0\r\n\r\n",
            "DELETE /x HTTP/1.1\r\nHost: a\r\n\r\n",
            "POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
            "POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
            "POST /f HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
            "POST /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi",
            "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\nPOST /c HTTP/1.1\r\nContent-Length: 1\r\n\r\nz",
            "GET /bad HTTP/1.1\r\nHost a\r\n\r\n",
    };

    @Test
    void everyRequestComesOutAsTheAggregatorMakesIt() {
        for (String raw : REQUESTS) {
            assertEquals(decoded(raw, new HttpObjectAggregator(1024)), decoded(raw, new BoundedAggregator(1024)), raw);
        }
    }

    @Test
    void aRequestWithoutABodyGetsAnEmptyBodyAndContentLengthZero() {
        List<String> out = decoded("GET /1k.txt HTTP/1.1\r\nHost: a\r\n\r\n", new BoundedAggregator(1024));
        assertEquals(1, out.size());
        assertTrue(out.getFirst().contains("content-length=0"), out.getFirst());
        assertTrue(out.getFirst().endsWith("body=[]"), out.getFirst());
    }

    /** Each request the server would see, as text: method, target, version, result, headers, trailers, body. */
    private static List<String> decoded(String raw, HttpObjectAggregator aggregator) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestDecoder(), new HttpResponseEncoder(), aggregator);
        channel.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
        List<String> seen = new ArrayList<>();
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            FullHttpRequest request = (FullHttpRequest) msg;
            try {
                seen.add(request.method() + " " + request.uri() + " " + request.protocolVersion() + " "
                        + request.decoderResult().isSuccess() + " headers=" + request.headers().entries()
                        + " trailers=" + request.trailingHeaders().entries()
                        + " body=[" + request.content().toString(StandardCharsets.ISO_8859_1) + "]");
            } finally {
                request.release();
            }
        }
        for (Object out; (out = channel.readOutbound()) != null; ) { // a 100 Continue the aggregator sent
            seen.add("sent: " + ((ByteBuf) out).toString(StandardCharsets.ISO_8859_1));
            ((ByteBuf) out).release();
        }
        channel.finishAndReleaseAll();
        return seen;
    }
}
