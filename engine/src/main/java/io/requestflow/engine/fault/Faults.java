package io.requestflow.engine.fault;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.requestflow.engine.admin.AdminServer;
import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.engine.server.RequestHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One hop instance's injected faults ({@code ./flow break}), set and cleared on its admin port at
 * {@code /faults}: {@code GET} shows the plan, {@code POST ?latencyMs=&jitterMs=&errorStatus=&percent=
 * &unready=&forSeconds=} replaces it, {@code DELETE} heals. With no plan the hop pays one volatile read
 * per request.
 */
public final class Faults {
    public static final String ADMIN_PATH = "/faults";
    /** How long a fault lasts when the caller does not say. */
    public static final long DEFAULT_SECONDS = 300;
    private static final Logger LOG = LoggerFactory.getLogger(Faults.class);

    private final String instance;
    private volatile FaultPlan plan;
    private final Counter delayed;
    private final Counter failed;
    private final Counter reset;

    public Faults(String instance, MeterRegistry registry) {
        this.instance = instance;
        this.delayed = Counter.builder("requestflow.faults.injected").tag("kind", "latency")
                .description("Requests an injected fault (./flow break) delayed or failed").register(registry);
        this.failed = Counter.builder("requestflow.faults.injected").tag("kind", "error")
                .description("Requests an injected fault (./flow break) delayed or failed").register(registry);
        this.reset = Counter.builder("requestflow.faults.injected").tag("kind", "reset")
                .description("Requests an injected fault (./flow break) delayed or failed").register(registry);
    }

    /** The plan in force, or null (none, or expired: then it is dropped). */
    public FaultPlan current() {
        FaultPlan p = plan;
        if (p == null) return null;
        if (p.expired(System.currentTimeMillis())) {
            plan = null;
            LOG.info("{}: injected fault expired; healthy again", instance);
            return null;
        }
        return p;
    }

    public void set(FaultPlan next) {
        plan = next;
        LOG.warn("{}: fault injected on purpose: {}", instance, next.describe(System.currentTimeMillis()));
    }

    public void clear() {
        if (plan != null) LOG.info("{}: injected fault healed", instance);
        plan = null;
    }

    public void countDelayed() {
        delayed.increment();
    }

    public void countReset() {
        reset.increment();
    }

    public void countFailed() {
        failed.increment();
    }

    String instance() {
        return instance;
    }

    /** {@code stages} with the fault stage in front. */
    public List<Stage> inFrontOf(List<Stage> stages) {
        List<Stage> all = new ArrayList<>(stages.size() + 1);
        all.add(new FaultStage(this));
        all.addAll(stages);
        return all;
    }

    /** {@code ready}, failing too while a plan says {@code unready}. */
    public AdminServer.Readiness readiness(AdminServer.Readiness ready) {
        return () -> {
            FaultPlan p = current();
            if (p != null && p.unready()) return "an injected fault makes it unready (./flow heal " + instance + ")";
            return ready.notReadyReason();
        };
    }

    /** {@code routes} plus {@code /faults}. */
    public Map<String, RequestHandler> withAdminRoute(Map<String, RequestHandler> routes) {
        Map<String, RequestHandler> all = new HashMap<>(routes);
        all.put(ADMIN_PATH, request -> CompletableFuture.completedFuture(admin(request)));
        return all;
    }

    private Response admin(Request request) {
        switch (request.method()) {
            case "GET" -> {
                return state();
            }
            case "DELETE" -> {
                clear();
                return state();
            }
            case "POST" -> {
                try {
                    set(parse(request));
                } catch (IllegalArgumentException e) {
                    return Problem.badRequest(e.getMessage());
                }
                return state();
            }
            default -> {
                return Problem.of(405, "Method Not Allowed", "GET, POST or DELETE " + ADMIN_PATH);
            }
        }
    }

    private Response state() {
        FaultPlan p = current();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("instance", instance);
        body.put("fault", p == null ? null : p.describe(System.currentTimeMillis()));
        return Response.json(200, body);
    }

    static FaultPlan parse(Request request) {
        long latency = number(request, "latencyMs", 0);
        long jitter = number(request, "jitterMs", 0);
        int status = (int) number(request, "errorStatus", 0);
        int percent = (int) number(request, "percent", status > 0 ? 100 : 0);
        String unready = request.query("unready");
        if (unready != null && !unready.equals("true") && !unready.equals("false")) {
            throw new IllegalArgumentException("unready must be true or false, got '" + unready + "'");
        }
        int reset = (int) number(request, "resetPercent", 0);
        long seconds = number(request, "forSeconds", DEFAULT_SECONDS);
        if (seconds < 1 || seconds * 1000 > FaultPlan.MAX_DURATION_MS) {
            throw new IllegalArgumentException("forSeconds must be 1.." + FaultPlan.MAX_DURATION_MS / 1000);
        }
        return new FaultPlan(latency, jitter, status, percent, "true".equals(unready),
                System.currentTimeMillis() + seconds * 1000, reset);
    }

    private static long number(Request request, String name, long otherwise) {
        String value = request.query(name);
        if (value == null || value.isEmpty()) return otherwise;
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + value + "'");
        }
    }
}
