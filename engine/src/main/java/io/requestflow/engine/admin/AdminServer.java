package io.requestflow.engine.admin;

import io.requestflow.engine.hop.HopContext;
import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.server.HttpServer;
import io.requestflow.engine.server.RequestHandler;
import io.requestflow.engine.server.ServerConfig;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The admin listener of one hop instance: {@code /healthz} (the process is alive), {@code /readyz}
 * (the hop can take traffic now), Prometheus {@code /metrics}, {@code /spans} (recent trace spans),
 * plus any routes the hop adds (its own state, purge, and so on).
 */
public final class AdminServer implements AutoCloseable {

    /** Whether the hop can take traffic, and why not when it cannot. */
    @FunctionalInterface
    public interface Readiness {
        String notReadyReason();

        static Readiness always() {
            return () -> null;
        }
    }

    private final HttpServer server;

    private AdminServer(HttpServer server) {
        this.server = server;
    }

    public static AdminServer start(HopContext context, HostPort listen, Readiness readiness,
                                    Map<String, RequestHandler> extra) {
        RequestHandler handler = request -> {
            RequestHandler custom = extra.get(request.path());
            if (custom != null) return custom.handle(request);
            return CompletableFuture.completedFuture(route(context, readiness, extra, request));
        };
        return new AdminServer(HttpServer.start(context.instance() + "-admin", listen, ServerConfig.defaults(),
                context.engine().group(), handler));
    }

    private static Response route(HopContext context, Readiness readiness, Map<String, RequestHandler> extra,
                                  Request request) {
        return switch (request.path()) {
            case "/healthz" -> Response.json(200, Map.of("status", "UP", "hop", context.hop(),
                    "instance", context.instance()));
            case "/readyz" -> {
                String reason = readiness.notReadyReason();
                yield reason == null
                        ? Response.json(200, Map.of("status", "READY", "instance", context.instance()))
                        : Problem.of(503, "Not Ready", context.instance() + ": " + reason);
            }
            case "/metrics" -> Response.of(200, "text/plain; version=0.0.4; charset=utf-8",
                    context.registry().scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            case "/spans" -> {
                int limit = parseLimit(request.query("limit"));
                yield Response.json(200, context.engine().spans().find(request.query("trace"), limit));
            }
            default -> Problem.notFound("admin endpoints: /healthz /readyz /metrics /spans?trace=ID"
                    + (extra.isEmpty() ? "" : " " + String.join(" ", extra.keySet())));
        };
    }

    private static int parseLimit(String value) {
        try {
            return value == null ? 200 : Math.max(1, Math.min(10_000, Integer.parseInt(value)));
        } catch (NumberFormatException e) {
            return 200;
        }
    }

    public InetSocketAddress address() {
        return server.address();
    }

    @Override
    public void close() {
        server.close();
    }
}
