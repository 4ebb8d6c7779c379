package io.requestflow.engine.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.requestflow.engine.http.HeaderBlock;
import io.requestflow.engine.http.HopByHop;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The raw response reader takes only heads Netty's decoder reads the same way, and leaves every other
 * head (ambiguous or unusual framing, odd lines) to Netty's decoder behind it, byte for byte.
 */
class RawResponseDecoderTest {
    private static final String PLAIN = "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/plain\r\n"
            + "Content-Length: 5\r\nConnection: keep-alive\r\nETag: \"x\"\r\n\r\nhello";

    /** What the pipeline hands the response handler: raw head + contents, or Netty's objects. */
    private static List<Object> read(String wire, boolean head, int pieceSize) {
        RawResponseDecoder raw = new RawResponseDecoder();
        HeadAwareResponseDecoder netty = new HeadAwareResponseDecoder();
        EmbeddedChannel ch = new EmbeddedChannel(raw, netty);
        raw.expect(!head);
        netty.head = head;
        byte[] bytes = wire.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < bytes.length; i += pieceSize) {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, i, Math.min(pieceSize, bytes.length - i)));
        }
        List<Object> out = new ArrayList<>();
        Object m;
        while ((m = ch.readInbound()) != null) out.add(m);
        ch.finishAndReleaseAll();
        return out;
    }

    private static String body(List<Object> messages) {
        StringBuilder b = new StringBuilder();
        for (Object m : messages) {
            if (m instanceof HttpContent c) b.append(c.content().toString(StandardCharsets.ISO_8859_1));
            if (m instanceof RawResponseHead h && h.body() != null) b.append(h.body().toString(StandardCharsets.ISO_8859_1));
        }
        release(messages);
        return b.toString();
    }

    private static void release(List<Object> messages) {
        for (Object m : messages) {
            if (m instanceof RawResponseHead h && h.body() != null) h.body().release();
            else ReferenceCountUtil.release(m);
        }
    }

    /** The response is complete: a head that carries its whole body, or a last content message. */
    private static boolean complete(List<Object> messages) {
        Object last = messages.getLast();
        return last instanceof LastHttpContent
                || (messages.size() == 1 && last instanceof RawResponseHead h && h.body() != null);
    }

    @Test
    void aPlainResponseIsReadRawInOnePieceOrByteByByte() {
        for (int piece : new int[] {PLAIN.length(), 1, 3, 7}) {
            List<Object> out = read(PLAIN, false, piece);
            RawResponseHead head = assertInstanceOf(RawResponseHead.class, out.getFirst());
            assertEquals(200, head.status());
            assertTrue(head.keepAlive());
            HeaderBlock block = head.block();
            assertEquals(5, block.contentLength());
            assertEquals("nginx", block.get("server"));
            assertEquals("\"x\"", block.get("ETAG"));
            assertNull(block.get("connection"), "hop-by-hop lines are left out");
            assertTrue(complete(out));
            if (piece >= PLAIN.length()) assertEquals(1, out.size(), "one message when all came at once");
            assertEquals("hello", body(out));
        }
    }

    @Test
    void theBlockIsWrittenWithReplacedAndAddedHeaders() {
        List<Object> out = read(PLAIN, false, PLAIN.length());
        HeaderBlock block = ((RawResponseHead) out.getFirst()).block();
        body(out);
        block.set(AsciiString.of("server"), "ours");
        block.set(AsciiString.of("x-request-id"), "abc");
        ByteBuf written = Unpooled.buffer();
        block.writeTo(written);
        assertEquals("Content-Type: text/plain\r\nETag: \"x\"\r\nserver: ours\r\nx-request-id: abc\r\n",
                written.toString(StandardCharsets.ISO_8859_1));
        HttpHeaders headers = block.toHeaders();
        assertEquals("ours", headers.get("Server"));
        assertEquals("5", headers.get("content-length"));
        assertEquals(5, headers.size());
    }

    @Test
    void connectionCloseIsSeen() {
        List<Object> out = read(PLAIN.replace("keep-alive", "close"), false, 9999);
        assertFalse(((RawResponseHead) out.getFirst()).keepAlive());
        body(out);
    }

    @Test
    void responsesOneAfterAnotherOnOneConnection() {
        RawResponseDecoder raw = new RawResponseDecoder();
        EmbeddedChannel ch = new EmbeddedChannel(raw, new HeadAwareResponseDecoder());
        for (int i = 0; i < 3; i++) {
            raw.expect(true);
            ch.writeInbound(Unpooled.copiedBuffer(PLAIN, StandardCharsets.ISO_8859_1));
            List<Object> out = new ArrayList<>();
            Object m;
            while ((m = ch.readInbound()) != null) out.add(m);
            assertInstanceOf(RawResponseHead.class, out.getFirst());
            assertEquals("hello", body(out));
        }
        assertFalse(ch.finish());
    }

    @Test
    void unusualOrAmbiguousHeadsGoToNettysDecoder() {
        String[] declined = {
                // chunked, and Content-Length with Transfer-Encoding
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                // repeated or conflicting Content-Length, or a malformed one
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
                "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello",
                "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello",
                "HTTP/1.1 200 OK\r\nContent-Length: 0x5\r\n\r\nhello",
                // no length: read until close
                "HTTP/1.1 200 OK\r\nServer: x\r\n\r\nhello",
                // other versions and statuses without a body
                "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello",
                "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n",
                "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n",
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
                // a Connection header naming another header, or empty
                "HTTP/1.1 200 OK\r\nConnection: x-secret\r\nX-Secret: 1\r\nContent-Length: 5\r\n\r\nhello",
                "HTTP/1.1 200 OK\r\nConnection: \r\nContent-Length: 5\r\n\r\nhello",
                // odd lines: folding, space before the colon, bare LF, bare CR, controls, empty name
                "HTTP/1.1 200 OK\r\nX-A: 1\r\n  folded\r\nContent-Length: 5\r\n\r\nhello",
                "HTTP/1.1 200 OK\r\nX-A : 1\r\nContent-Length: 5\r\n\r\nhello",
                "HTTP/1.1 200 OK\nContent-Length: 5\n\nhello",
                "HTTP/1.1 200 OK\r\nX-A: 1\rX-B: 2\r\nContent-Length: 5\r\n\r\nhello",
                "HTTP/1.1 200 OK\r\nX-A: 1\u0001\r\nContent-Length: 5\r\n\r\nhello",
                "HTTP/1.1 200 OK\r\n: 1\r\nContent-Length: 5\r\n\r\nhello",
                "\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
                "HTTP/1.1 2000 OK\r\nContent-Length: 5\r\n\r\nhello",
        };
        for (String wire : declined) {
            List<Object> out = read(wire, false, wire.length());
            assertFalse(!out.isEmpty() && out.getFirst() instanceof RawResponseHead, "taken raw: " + wire);
            release(out);
        }
    }

    @Test
    void theAnswerToHeadIsLeftToNettysDecoderWhichReadsNoBody() {
        List<Object> out = read("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", true, 999);
        HttpResponse response = assertInstanceOf(HttpResponse.class, out.getFirst());
        assertEquals("5", response.headers().get("content-length"));
        assertInstanceOf(LastHttpContent.class, out.getLast());
        assertEquals("", body(out));
    }

    @Test
    void aDeclinedResponseIsStillReadWholeByNetty() {
        String chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
        List<Object> out = read(chunked, false, 4);
        assertInstanceOf(HttpResponse.class, out.getFirst());
        assertEquals("hello", body(out));
    }

    /**
     * Differential fuzzing: random edits of response heads (bytes replaced, inserted, deleted, lines
     * duplicated). Whenever the raw reader takes a head, Netty's decoder must read the same bytes
     * without error as the same status, length, connection fate and non-hop-by-hop headers.
     */
    @Test
    void whateverIsTakenRawNettyReadsTheSame() {
        Random random = new Random(Long.getLong("fuzz.seed", 4));
        String[] seeds = {PLAIN, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 3\r\nRetry-After: 1\r\n"
                + "Keep-Alive: timeout=5\r\nConnection: close\r\nX-Request-Id: a\r\n\r\nbad",
                "HTTP/1.1 404 \r\nContent-Length:0\r\nServer-Timing: app;dur=1\r\n\r\n"};
        byte[] alphabet = " \t\r\n:,;\"0123456789aAzZ-_\u0001\u007f\u0080\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        int taken = 0;
        for (int round = 0; round < Integer.getInteger("fuzz.rounds", 20_000); round++) {
            byte[] wire = seeds[random.nextInt(seeds.length)].getBytes(StandardCharsets.ISO_8859_1);
            int edits = 1 + random.nextInt(3);
            for (int e = 0; e < edits; e++) wire = mutate(wire, random, alphabet);
            ByteBuf in = Unpooled.wrappedBuffer(wire);
            int end = RawResponseDecoder.headEnd(in);
            if (end < 0) continue;
            RawResponseHead raw = RawResponseDecoder.parse(in, 0, end);
            if (raw == null) continue;
            taken++;
            EmbeddedChannel netty = new EmbeddedChannel(new HttpResponseDecoder());
            netty.writeInbound(Unpooled.wrappedBuffer(wire, 0, end));
            HttpResponse response = netty.readInbound();
            String shown = new String(wire, 0, end, StandardCharsets.ISO_8859_1);
            assertNotNull(response, "Netty read no head from " + shown);
            assertTrue(response.decoderResult().isSuccess(), "Netty rejects what was taken raw: " + shown);
            assertEquals(response.status().code(), raw.status(), shown);
            assertEquals(HttpUtil.getContentLength(response, -1L), raw.block().contentLength(), shown);
            assertEquals(HttpUtil.isKeepAlive(response), raw.keepAlive(), shown);
            HopByHop.strip(response.headers());
            HttpHeaders expected = response.headers().copy();
            HttpHeaders actual = raw.block().toHeaders();
            assertEquals(entries(expected), entries(actual), shown);
            netty.finishAndReleaseAll();
        }
        assertTrue(taken > 1_000, "the fuzzing should exercise accepted heads too, got " + taken);
    }

    private static List<String> entries(HttpHeaders headers) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> e : headers) out.add(e.getKey().toLowerCase() + "=" + e.getValue());
        out.sort(null);
        return out;
    }

    private static byte[] mutate(byte[] wire, Random random, byte[] alphabet) {
        int at = random.nextInt(wire.length);
        byte b = alphabet[random.nextInt(alphabet.length)];
        return switch (random.nextInt(4)) {
            case 0 -> { byte[] c = wire.clone(); c[at] = b; yield c; }
            case 1 -> { byte[] c = new byte[wire.length + 1]; System.arraycopy(wire, 0, c, 0, at); c[at] = b;
                System.arraycopy(wire, at, c, at + 1, wire.length - at); yield c; }
            case 2 -> { byte[] c = new byte[wire.length - 1]; System.arraycopy(wire, 0, c, 0, at);
                System.arraycopy(wire, at + 1, c, at, wire.length - at - 1); yield c; }
            default -> { // duplicate the line around `at`
                String s = new String(wire, StandardCharsets.ISO_8859_1);
                int start = s.lastIndexOf("\r\n", at) + 2;
                int end = s.indexOf("\r\n", at);
                if (start < 2 || end < 0 || end <= start) yield wire;
                String line = s.substring(start, end + 2);
                yield (s.substring(0, start) + line + s.substring(start)).getBytes(StandardCharsets.ISO_8859_1);
            }
        };
    }
}
