package io.requestflow.topology;

import io.requestflow.data.DataTier;
import io.requestflow.data.Restartable;
import io.requestflow.data.EmbeddedReplica;
import io.requestflow.engine.fault.Faults;
import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.http.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Fault drills on the data stores `./flow up` embeds ({@code ./flow break postgres|redis|kafka|replica}):
 * stopping the PostgreSQL primary, Redis or Kafka and pausing the replica's WAL replay, each healed on
 * request or when its time is up. Served as {@code /data} on the balancer's admin port, next to
 * {@code /scale}: {@code GET} shows the state, {@code POST ?store=postgres|redis|kafka|replica&action=break|heal
 * [&forSeconds=N]} changes it.
 */
public final class DataFaults implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DataFaults.class);
    /** The stores a drill can break, as operators name them. */
    public static final java.util.List<String> STORES = java.util.List.of("postgres", "redis", "kafka", "replica");

    private final DataTier data;
    private final Executor blocking;
    private final ScheduledExecutorService expiry = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("data-fault-expiry").daemon().factory());
    private final Map<String, ScheduledFuture<?>> heals = new LinkedHashMap<>();
    /** The servers that can be stopped and started, by store name. */
    private final Map<String, Restartable> servers = new java.util.concurrent.ConcurrentHashMap<>();

    DataFaults(DataTier data, Executor blocking) {
        this.data = data;
        this.blocking = blocking;
        if (data.embeddedRedis() != null) servers.put("redis", data.embeddedRedis());
        if (data.embeddedPrimary() != null) servers.put("postgres", data.embeddedPrimary());
    }

    /** Makes {@code store} breakable (the embedded Kafka, once it runs). */
    void register(String store, Restartable server) {
        servers.put(store, server);
    }

    CompletableFuture<Response> route(Request request) {
        if (request.method().equals("GET")) return CompletableFuture.completedFuture(Response.json(200, state()));
        if (!request.method().equals("POST")) {
            return CompletableFuture.completedFuture(Problem.of(405, "Method Not Allowed",
                    "GET /data, or POST /data?store=postgres|redis|kafka|replica&action=break|heal"));
        }
        String store = String.valueOf(request.query("store"));
        String action = String.valueOf(request.query("action"));
        long seconds;
        try {
            String s = request.query("forSeconds");
            seconds = s == null ? Faults.DEFAULT_SECONDS : Long.parseLong(s);
            if (seconds < 1 || seconds > 86_400) throw new NumberFormatException();
        } catch (NumberFormatException e) {
            return CompletableFuture.completedFuture(Problem.badRequest("forSeconds must be 1..86400"));
        }
        if (!STORES.contains(store)) {
            return CompletableFuture.completedFuture(Problem.badRequest("store must be postgres, redis, kafka or replica"));
        }
        if (!action.equals("break") && !action.equals("heal")) {
            return CompletableFuture.completedFuture(Problem.badRequest("action must be break or heal"));
        }
        // stopping and starting servers waits on processes: not on the admin server's event loop
        return CompletableFuture.supplyAsync(() -> {
            try {
                change(store, action.equals("break"), seconds);
                return Response.json(200, state());
            } catch (IllegalStateException e) {
                return Problem.of(409, "Conflict", e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("data fault {} {} failed", action, store, e);
                return Problem.internal(action + " " + store + " failed: " + e.getMessage());
            }
        }, blocking);
    }

    private synchronized void change(String store, boolean broken, long seconds) {
        ScheduledFuture<?> pending = heals.remove(store);
        if (pending != null) pending.cancel(false);
        set(store, broken);
        if (broken) {
            heals.put(store, expiry.schedule(() -> {
                synchronized (this) {
                    heals.remove(store);
                    LOG.info("the fault on {} expired; healing it", store);
                    set(store, false);
                }
            }, seconds, TimeUnit.SECONDS));
        }
    }

    private void set(String store, boolean broken) {
        if (!store.equals("replica")) {
            Restartable server = servers.get(store);
            if (server == null) {
                throw new IllegalStateException(store + " is not embedded in this process (external, or off): stop it where it runs");
            }
            if (broken) server.stop();
            else server.start();
            LOG.warn("{} {} on purpose", store, broken ? "stopped" : "started again");
        } else {
            if (data.embeddedReplicas().isEmpty()) throw new IllegalStateException("no embedded replica runs here");
            for (EmbeddedReplica replica : data.embeddedReplicas()) {
                try {
                    replica.pauseReplay(broken);
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(replica.name() + " did not answer: " + e.getMessage(), e);
                }
                LOG.warn("{}: WAL replay {} on purpose", replica.name(), broken ? "paused" : "resumed");
            }
        }
    }

    private synchronized Map<String, Object> state() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String store : new String[] {"postgres", "redis", "kafka"}) {
            Restartable server = servers.get(store);
            m.put(store, server == null ? "external" : server.running() ? "ok" : "stopped" + left(store));
        }
        m.put("replica", data.embeddedReplicas().isEmpty() ? "none"
                : heals.containsKey("replica") ? "replay paused" + left("replica") : "ok");
        return m;
    }

    private String left(String store) {
        ScheduledFuture<?> heal = heals.get(store);
        return heal == null ? "" : " (" + Math.max(0, heal.getDelay(TimeUnit.SECONDS)) + " s left)";
    }

    @Override
    public void close() {
        expiry.shutdownNow();
    }
}
