package io.requestflow.console;

import io.requestflow.cli.get.HttpProbe;
import io.requestflow.cli.get.ClientTls;
import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.net.Transport;
import io.requestflow.engine.server.HttpServer;
import io.requestflow.engine.server.ServerConfig;
import io.netty.channel.EventLoopGroup;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * The console: one web page (served from the jar) that shows the running path instance by instance,
 * sends a request through it and draws where the time went, follows its trace, and breaks and heals
 * instances. Bound to loopback by default; it changes the running system, so it answers only requests
 * addressed to a loopback host (no DNS rebinding) and refuses writes from other origins.
 */
public final class ConsoleServer implements AutoCloseable {
    private final HttpServer server;
    private final HttpProbe probe;
    private final EventLoopGroup probeGroup;

    private ConsoleServer(HttpServer server, HttpProbe probe, EventLoopGroup probeGroup) {
        this.server = server;
        this.probe = probe;
        this.probeGroup = probeGroup;
    }

    public static ConsoleServer start(Engine engine, String bind, PathDirectory path, ConsoleSettings settings) {
        EventLoopGroup probeGroup = Transport.newGroup("console-probe", 1);
        HttpProbe probe = new HttpProbe(probeGroup, ClientTls.DEPLOYMENT_CA);
        ConsoleApi api = new ConsoleApi(path, probe, settings);
        StaticAssets assets = StaticAssets.load();
        try {
            HttpServer server = HttpServer.start("console", new HostPort(bind, settings.port()), ServerConfig.defaults(),
                    engine.group(), request -> {
                        Response refused = Guard.refusal(request);
                        if (refused != null) return CompletableFuture.completedFuture(refused);
                        if (request.path().startsWith("/api/")) {
                            // the API waits on admin ports and the path: never on the event loop
                            return CompletableFuture.supplyAsync(() -> api.handle(request), engine.blocking());
                        }
                        return CompletableFuture.completedFuture(assets.serve(request));
                    });
            return new ConsoleServer(server, probe, probeGroup);
        } catch (RuntimeException e) {
            probe.close();
            probeGroup.shutdownGracefully();
            throw e;
        }
    }

    public InetSocketAddress address() {
        return server.address();
    }

    @Override
    public void close() {
        server.close();
        probe.close();
        probeGroup.shutdownGracefully();
    }

    /** Who may use the console. */
    static final class Guard {
        private Guard() {}

        /** Null when the request may proceed, else the refusal. */
        static Response refusal(Request request) {
            String host = request.header("host");
            if (host == null || !loopback(hostName(host))) {
                return Problem.of(421, "Misdirected Request", "the console answers only at a loopback address,"
                        + " such as http://127.0.0.1:PORT/ or http://localhost:PORT/");
            }
            boolean writes = !request.method().equals("GET") && !request.method().equals("HEAD");
            String origin = request.header("origin");
            if (writes && origin != null && !origin.equals("http://" + host)) {
                return Problem.forbidden("the console takes changes only from its own page (Origin " + origin + ")");
            }
            return null;
        }

        static String hostName(String authority) {
            if (authority.startsWith("[")) {
                int end = authority.indexOf(']');
                return end < 0 ? authority : authority.substring(1, end);
            }
            int colon = authority.lastIndexOf(':');
            return colon < 0 ? authority : authority.substring(0, colon);
        }

        private static boolean loopback(String name) {
            return name.equals("localhost") || name.equals("::1") || name.matches("127(\\.\\d{1,3}){3}");
        }
    }
}
