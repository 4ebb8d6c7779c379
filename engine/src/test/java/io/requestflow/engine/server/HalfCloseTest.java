package io.requestflow.engine.server;

import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.HostPort;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that sends its requests and then shuts down its side of the connection (as {@code nc -N} or a
 * script piping a request does) still gets every answer, and then the connection is closed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HalfCloseTest {
    static Engine engine;
    static HttpServer server;

    @BeforeAll
    static void start() {
        engine = new Engine(1, 100);
        Executor later = CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS);
        server = HttpServer.start("half-close", new HostPort("127.0.0.1", 0), ServerConfig.defaults(), engine.group(),
                request -> request.path().equals("/slow")
                        ? CompletableFuture.supplyAsync(() -> Response.text(200, "slow " + request.uri()), later)
                        : CompletableFuture.completedFuture(Response.text(200, "fast " + request.uri())));
    }

    @AfterAll
    static void stop() {
        server.close();
        engine.close();
    }

    @Test
    void anAnswerReadyAtOnceIsSent() throws Exception {
        assertThat(sendThenShutDown("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200").endsWith("fast /a");
    }

    @Test
    void anAnswerThatTakesTimeIsSent() throws Exception {
        assertThat(sendThenShutDown("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 200")
                .endsWith("slow /slow");
    }

    @Test
    void pipelinedRequestsAreAllAnswered() throws Exception {
        String answers = sendThenShutDown("GET /slow?1 HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(answers).contains("slow /slow?1").endsWith("fast /b");
    }

    /** Writes the bytes, shuts down output, and reads until the server closes the connection. */
    private static String sendThenShutDown(String requests) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(requests.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            socket.shutdownOutput();
            ByteArrayOutputStream answers = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(answers);
            return answers.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
