package io.requestflow.engine.server;

import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.HostPort;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The guard in front of a real listener: bodies reach the handler byte for byte however the reads fall. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RawRequestGuardTest {
    static Engine engine;
    static HttpServer server;

    @BeforeAll
    static void start() {
        engine = new Engine(1, 100);
        server = HttpServer.start("guarded", new HostPort("127.0.0.1", 0), ServerConfig.defaults(), engine.group(),
                request -> CompletableFuture.completedFuture(Response.text(200,
                        "body=" + new String(request.body(), StandardCharsets.ISO_8859_1))),
                (head, peer) -> null);
    }

    @AfterAll
    static void stop() {
        server.close();
        engine.close();
    }

    /**
     * A read that ends inside a long chunk-size line, after chunk data the codec still holds: the guard
     * keeps the unread line for the next read without moving bytes under the data it passed on.
     */
    @Test
    void aChunkLineSplitAcrossReadsKeepsTheEarlierChunks() throws Exception {
        String extension = ";ext=" + "a".repeat(400);
        String first = "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3" + extension;
        String second = "\r\nxyz\r\n0\r\n\r\n";
        assertThat(exchange(first, second, "body=helloxyz")).startsWith("HTTP/1.1 200");
    }

    /** A read that ends inside the next request's head, after a request with a body, as pipelining does. */
    @Test
    void aHeadSplitAcrossReadsAfterABody() throws Exception {
        String first = "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /b HTTP/1.1\r\nHost: x\r\nX-Pad: "
                + "p".repeat(300);
        String second = "\r\nContent-Length: 3\r\n\r\nxyz";
        String answers = exchange(first, second, "body=xyz");
        assertThat(answers).contains("body=hello");
    }

    /** The guard passes the client's half-close on, so the answer still goes out before the server closes. */
    @Test
    void aChunkedRequestFollowedByAHalfCloseIsAnswered() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            socket.shutdownOutput();
            byte[] all = socket.getInputStream().readAllBytes(); // until the server closes
            assertThat(new String(all, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200").endsWith("body=hello");
        }
    }

    /**
     * Sends {@code first}, waits so the server reads it alone, sends {@code second}, and reads answers until they
     * end with {@code last} (a socket timeout fails the test when they never do).
     */
    private static String exchange(String first, String second, String last) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(first.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread.sleep(200);
            out.write(second.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder answers = new StringBuilder();
            byte[] buf = new byte[4096];
            while (!answers.toString().endsWith(last)) {
                int n = in.read(buf);
                assertThat(n).as("answers so far: %s", answers).isPositive();
                answers.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
            return answers.toString();
        }
    }
}
