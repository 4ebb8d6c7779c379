package io.requestflow.firewall;

import io.requestflow.engine.admin.AdminServer;
import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.hop.HttpHop;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.proxy.Forwarder;
import io.requestflow.engine.client.ClientConfig;
import io.requestflow.engine.server.HttpServer;
import io.requestflow.engine.server.ServerConfig;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** A real firewall hop on an ephemeral port with a tiny origin behind it that answers 200 to everything. */
final class FirewallUnderTest implements AutoCloseable {
    private final Engine engine;
    private final HttpServer origin;
    private final FirewallHop firewall;
    private final HttpHop hop;

    FirewallUnderTest(FirewallConfig config, Path dataDir, String redisUrl) {
        this(new Engine(1, 10), config, dataDir, redisUrl);
    }

    FirewallUnderTest(Engine engine, FirewallConfig config, Path dataDir, String redisUrl) {
        this.engine = engine;
        this.origin = HttpServer.start("origin", new HostPort("127.0.0.1", 0), ServerConfig.defaults(), engine.group(),
                request -> CompletableFuture.completedFuture(Response.text(200, "ok")));
        var ctx = engine.hop("firewall", "firewall-test");
        this.firewall = new FirewallHop(config, dataDir, redisUrl);
        var spec = new HttpHop.Spec(new HostPort("127.0.0.1", 0), new HostPort("127.0.0.1", 0), ServerConfig.defaults(),
                10_000);
        this.hop = HttpHop.start(ctx, spec, firewall.stages(new Forwarder(ctx.client(ClientConfig.defaults())),
                HostPort.of(origin.address())), AdminServer.Readiness.always(), Map.of(), firewall.rawInspector());
    }

    InetSocketAddress address() {
        return hop.address();
    }

    /** Sends raw bytes on a new connection and returns the response's status code (-1: no answer). */
    int send(byte[] request) throws IOException {
        return statusOf(exchange(request));
    }

    String exchange(byte[] request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(address(), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            try {
                while ((n = in.read(buf)) > 0) {
                    out.write(buf, 0, n);
                    if (complete(out.toString(StandardCharsets.ISO_8859_1))) break;
                }
            } catch (java.net.SocketTimeoutException | java.net.SocketException e) {
                // whatever arrived is the answer
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** A full response: head plus as many body bytes as Content-Length says. */
    private static boolean complete(String text) {
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) return false;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)\r\ncontent-length:\\s*(\\d+)").matcher(
                text.substring(0, end));
        int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
        return text.length() - end - 4 >= length;
    }

    static int statusOf(String response) {
        if (!response.startsWith("HTTP/1.")) return -1;
        try {
            return Integer.parseInt(response.substring(9, 12));
        } catch (RuntimeException e) {
            return -1;
        }
    }

    @Override
    public void close() throws Exception {
        hop.close();
        firewall.close();
        origin.close();
        engine.close();
    }
}
