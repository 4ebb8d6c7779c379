package io.requestflow.dns;

import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.server.RequestHandler;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The dns hop's admin routes: {@code POST /dns/reload} (read the zone again from its source and serve it with
 * a higher serial, without a restart) and {@code GET /dns/health} (each checked target's state).
 */
public final class DnsAdmin {

    private DnsAdmin() {}

    /** {@code source} reads the current config (the topology file again); its listen address is ignored. */
    public static Map<String, RequestHandler> routes(DnsServer server, Supplier<DnsConfig> source) {
        Map<String, RequestHandler> routes = new LinkedHashMap<>();
        routes.put("/dns/reload", request -> CompletableFuture.completedFuture(reload(server, source, request)));
        routes.put("/dns/health", request -> CompletableFuture.completedFuture(
                Response.json(200, Map.of("targets", server.health()))));
        return Map.copyOf(routes);
    }

    private static Response reload(DnsServer server, Supplier<DnsConfig> source, Request request) {
        if (!request.method().equals("POST")) {
            return Problem.of(405, "Method Not Allowed", "POST /dns/reload reloads the zone");
        }
        long previous = server.zone().soa().getSerial();
        try {
            DnsConfig running = server.config();
            DnsConfig fresh = source.get().withHost(running.host()).withPort(running.port());
            Zone zone = server.reload(fresh);
            return Response.json(200, Map.of("zone", zone.origin().toString(), "serial", zone.soa().getSerial(),
                    "previousSerial", previous));
        } catch (RuntimeException e) {
            // A bad file must not take the zone down: the old one keeps serving, and the caller learns why.
            return Problem.of(400, "Zone Not Reloaded", String.valueOf(e.getMessage()),
                    Map.of("serial", previous));
        }
    }
}
