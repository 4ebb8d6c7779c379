package io.requestflow.services.page;

import io.requestflow.engine.admin.AdminServer;
import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.hop.HttpHop;
import io.requestflow.engine.http.Json;
import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.server.ServerConfig;
import io.requestflow.engine.service.Router;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP service on an ephemeral port whose answer the test scripts: how long it takes and which
 * status it answers, so timeouts and failures of a dependency can be produced on purpose.
 */
final class ScriptedUpstream implements AutoCloseable {
    static final HostPort ANY = new HostPort("127.0.0.1", 0);

    volatile long delayMs;
    volatile int status = 200;
    final AtomicInteger calls = new AtomicInteger();
    private final HttpHop hop;

    ScriptedUpstream(Engine engine, String name, String route) {
        var ctx = engine.hop(name, name + "-1");
        Router router = Router.builder().get(route, (ex, p) -> {
            calls.incrementAndGet();
            if (delayMs > 0) Thread.sleep(delayMs);
            if (status >= 400) return Problem.of(status, "Scripted", name + " answers " + status);
            return Response.json(200, Map.of("service", name, "id", Long.parseLong(p.get("id"))));
        }).build(engine.blocking());
        hop = HttpHop.start(ctx, new HttpHop.Spec(ANY, ANY, ServerConfig.defaults(), 30_000), List.of(router),
                AdminServer.Readiness.always(), Map.of());
    }

    HostPort address() {
        return HostPort.of(hop.address());
    }

    void behave(long delayMs, int status) {
        this.delayMs = delayMs;
        this.status = status;
    }

    @Override
    public void close() {
        hop.close();
    }

    static String json(Object o) {
        return new String(Json.bytes(o));
    }
}
