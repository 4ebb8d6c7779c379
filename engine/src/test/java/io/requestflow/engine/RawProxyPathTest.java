package io.requestflow.engine;

import io.requestflow.engine.admin.AdminServer;
import io.requestflow.engine.client.ClientConfig;
import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.hop.HttpHop;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.proxy.ForwardStage;
import io.requestflow.engine.proxy.Forwarder;
import io.requestflow.engine.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proxy path that keeps an upstream's header block as bytes (and writes requests as bytes), seen
 * on the wire from both sides: hop-by-hop headers dropped both ways, the hop's Server-Timing entry put
 * in front of the upstream's, our request id instead of the upstream's, framing written by the hop
 * (HTTP/1.0 keep-alive, close, HEAD), and answers Netty's decoder reads (chunked) framed the same way.
 * The upstream is a plain socket server, so the bytes it sends are exactly what a test says.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RawProxyPathTest {
    static final HostPort ANY = new HostPort("127.0.0.1", 0);
    static Engine engine;
    static HttpHop proxy;
    static ServerSocket upstream;
    /** Each request head (and body) the upstream received, as bytes. */
    static final BlockingQueue<String> received = new LinkedBlockingQueue<>();

    static final Map<String, String> ANSWERS = Map.of(
            "/plain", "HTTP/1.1 200 OK\r\nServer: up\r\nKeep-Alive: timeout=5\r\nConnection: keep-alive\r\n"
                    + "Proxy-Connection: keep-alive\r\nX-Request-Id: upstream-id\r\nServer-Timing: app;dur=1.5\r\n"
                    + "Content-Length: 5\r\nETag: \"e\"\r\n\r\nhello",
            "/chunked", "HTTP/1.1 200 OK\r\nServer: up\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n",
            "/empty", "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 1\r\n\r\n");

    @BeforeAll
    static void start() throws IOException {
        engine = new Engine(2, 1000);
        upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(RawProxyPathTest::accept);
        HostPort to = new HostPort("127.0.0.1", upstream.getLocalPort());
        proxy = HttpHop.start(engine.hop("proxy", "proxy-1"),
                new HttpHop.Spec(ANY, ANY, ServerConfig.defaults(), 10_000),
                List.of(new ForwardStage(new Forwarder(engine.hop("p", "p").client(ClientConfig.defaults())), to)),
                AdminServer.Readiness.always(), Map.of());
    }

    @AfterAll
    static void stop() throws IOException {
        proxy.close();
        engine.close();
        upstream.close();
    }

    private static void accept() {
        while (!upstream.isClosed()) {
            try {
                Socket s = upstream.accept();
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException closed) {
                return;
            }
        }
    }

    /** Keep-alive: answers each request with the canned answer for its path. */
    private static void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) return;
                Matcher length = Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
                String body = length.find() ? new String(in.readNBytes(Integer.parseInt(length.group(1))),
                        StandardCharsets.ISO_8859_1) : "";
                received.add(head + body);
                String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
                String answer = ANSWERS.getOrDefault(path, ANSWERS.get("/plain"));
                if (head.startsWith("HEAD")) answer = answer.substring(0, answer.indexOf("\r\n\r\n") + 4);
                out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        } catch (IOException gone) {
            // the proxy closed the connection
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            String s = head.toString(StandardCharsets.ISO_8859_1);
            if (s.endsWith("\r\n\r\n")) return s;
        }
        return null;
    }

    /** Sends raw bytes on one connection and reads until the proxy closes it. */
    static String exchange(String requests) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", proxy.address().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(requests.getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void theUpstreamsHeadersGoBackWithoutHopByHopLinesAndWithTheHopsEntries() throws Exception {
        received.clear();
        String answer = exchange("GET /plain HTTP/1.1\r\nHost: t\r\nX-Request-Id: mine-1\r\nConnection: close\r\n\r\n");
        String head = answer.substring(0, answer.indexOf("\r\n\r\n") + 2).toLowerCase();
        assertThat(answer).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nhello");
        assertThat(head).contains("\r\nserver: up\r\n", "\r\netag: \"e\"\r\n", "\r\ncontent-length: 5\r\n",
                "\r\nconnection: close\r\n", "\r\nx-request-id: mine-1\r\n");
        assertThat(head).doesNotContain("keep-alive", "proxy-connection", "upstream-id");
        Matcher timing = Pattern.compile("\r\nserver-timing: proxy;dur=[0-9.]+;desc=\"127.0.0.1:\\d+\", app;dur=1.5\r\n")
                .matcher(head);
        assertThat(timing.find()).as(head).isTrue();
        assertThat(head.split("x-request-id", -1)).hasSize(2);
        assertThat(head.split("server-timing", -1)).hasSize(2);
    }

    @Test
    void theRequestGoesUpWithoutHopByHopHeadersWithIdTraceAndLength() throws Exception {
        received.clear();
        exchange("POST /plain?q=1 HTTP/1.1\r\nHost: front\r\nConnection: close, X-Drop\r\nX-Drop: 1\r\n"
                + "TE: trailers\r\nX-Keep: 2\r\nContent-Length: 4\r\n\r\nbody");
        String up = received.poll(5, TimeUnit.SECONDS);
        assertThat(up).startsWith("POST /plain?q=1 HTTP/1.1\r\n").endsWith("\r\n\r\nbody");
        String lower = up.toLowerCase();
        assertThat(lower).contains("\r\nhost: front\r\n", "\r\nx-keep: 2\r\n", "\r\ncontent-length: 4\r\n",
                "\r\nx-request-id: ", "\r\ntraceparent: 00-");
        assertThat(lower).doesNotContain("x-drop", "\r\nte:", "connection");
    }

    @Test
    void keepAliveHttp10AndSeveralAnswersOnOneConnection() throws Exception {
        String two = exchange("GET /plain HTTP/1.1\r\nHost: t\r\n\r\nGET /plain HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        assertThat(two.split("HTTP/1.1 200 OK", -1)).hasSize(3);
        assertThat(two.split("hello", -1)).hasSize(3);
        try (Socket socket = new Socket("127.0.0.1", proxy.address().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /plain HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            byte[] buf = new byte[4096];
            StringBuilder got = new StringBuilder();
            while (!got.toString().endsWith("hello")) {
                int n = socket.getInputStream().read(buf);
                if (n < 0) break;
                got.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
            assertThat(got.toString()).startsWith("HTTP/1.0 200 OK\r\n").contains("\r\nconnection: keep-alive\r\n");
        }
    }

    @Test
    void headAnEmptyBodyAndAChunkedAnswerAreFramedByTheHop() throws Exception {
        String head = exchange("HEAD /plain HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        assertThat(head.toLowerCase()).contains("content-length: 5\r\n").endsWith("\r\n\r\n");
        String empty = exchange("GET /empty HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        assertThat(empty).startsWith("HTTP/1.1 503 Service Unavailable\r\n").endsWith("\r\n\r\n");
        assertThat(empty.toLowerCase()).contains("\r\ncontent-length: 0\r\n", "\r\nretry-after: 1\r\n");
        String chunked = exchange("GET /chunked HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        assertThat(chunked.toLowerCase()).contains("\r\ncontent-length: 5\r\n").doesNotContain("transfer-encoding");
        assertThat(chunked).endsWith("\r\n\r\nhello");
    }
}
