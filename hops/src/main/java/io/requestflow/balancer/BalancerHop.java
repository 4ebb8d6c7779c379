package io.requestflow.balancer;

import com.fasterxml.jackson.databind.JsonNode;
import io.requestflow.engine.client.ClientConfig;
import io.requestflow.engine.client.UpstreamClient;
import io.requestflow.engine.hop.HopContext;
import io.requestflow.engine.http.Json;
import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.engine.proxy.Forwarder;
import io.requestflow.engine.server.RequestHandler;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The balancer: "which healthy instance takes it?" A target group with live membership, a picker,
 * active health checks, outlier ejection, retries under a budget, slow start and draining.
 */
public final class BalancerHop {
    private final BalancerConfig config;
    private final TargetGroup group;
    private final HealthChecker checker;
    private final BalanceStage stage;

    public BalancerHop(BalancerConfig config, HopContext context, ClientConfig clientConfig) {
        this.config = config;
        BalancerConfig.Policy policy = config.policy();
        UpstreamClient client = context.client(clientConfig);
        this.checker = context.own(new HealthChecker(config.healthCheck(), client, context.engine().group()));
        this.group = new TargetGroup(policy, checker, client, context.engine().group(), context.registry());
        OutlierDetector outliers = new OutlierDetector(policy.outlier(), group::members);
        this.stage = new BalanceStage(group, Pickers.create(policy, group::members), outliers,
                new RetryPolicy(policy.retry()),
                new RetryBudget(policy.retry().budgetPercent(), policy.retry().minRetriesPerSecond()),
                new Forwarder(client), context.engine().group(), policy, context.registry());
    }

    public List<Stage> stages() {
        return List.of(stage);
    }

    /** Registers the configured targets; each is checked at once and takes traffic after its first pass. */
    public void startHealthChecks() {
        for (BalancerConfig.Target t : config.targets()) group.register(t, true);
    }

    /**
     * From now on the target group also follows what {@code discovery}'s name resolves to (next to any
     * configured targets); stops with the hop.
     */
    public void startDiscovery(DiscoveryConfig discovery, HopContext context) {
        TargetDiscovery targets = context.own(new TargetDiscovery(discovery, group, context.engine().group().next(),
                context.registry()));
        targets.start();
    }

    public TargetGroup targets() {
        return group;
    }

    public List<Instance> instances() {
        return group.members();
    }

    /** Ready when at least one instance is healthy. */
    public String notReadyReason() {
        return group.members().stream().anyMatch(Instance::healthy) ? null : "no healthy instance in the target group";
    }

    /**
     * Admin route {@code /targets}: {@code GET} lists every instance's state; {@code POST} with a JSON
     * target ({@code name, address, healthUrl, weight, zone}) registers one; {@code DELETE ?name=N}
     * drains one and answers once it has left.
     */
    public Map<String, RequestHandler> adminRoutes() {
        return Map.of("/targets", this::targetsRoute);
    }

    private CompletableFuture<Response> targetsRoute(Request request) {
        try {
            return switch (request.method()) {
                case "GET" -> CompletableFuture.completedFuture(Response.json(200, describe()));
                case "POST" -> CompletableFuture.completedFuture(register(request));
                case "DELETE" -> {
                    String name = request.query("name");
                    if (name == null || name.isBlank()) {
                        yield CompletableFuture.completedFuture(Problem.badRequest("DELETE /targets?name=NAME"));
                    }
                    yield group.deregister(name).thenApply(i -> Response.json(200,
                            Map.of("removed", i.name(), "targets", describe())));
                }
                default -> CompletableFuture.completedFuture(Problem.of(405, "Method Not Allowed",
                        "/targets takes GET, POST (register) and DELETE ?name= (drain)"));
            };
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(Problem.badRequest(e.getMessage()));
        }
    }

    private Response register(Request request) {
        JsonNode body = Json.tree(request.body());
        if (body == null || !body.isObject() || !body.hasNonNull("address")) {
            return Problem.badRequest("POST /targets takes JSON {\"address\":\"HOST:PORT\", \"name\":…, "
                    + "\"healthUrl\":…, \"weight\":1, \"zone\":…}");
        }
        BalancerConfig.Target target = new BalancerConfig.Target(text(body, "name"), body.get("address").asText(),
                text(body, "healthUrl"), body.path("weight").asInt(1), text(body, "zone"));
        target.hostPort(); // rejects a malformed address before anything changes
        Instance added = group.register(target);
        return Response.json(201, Map.of("registered", added.name(), "targets", describe()));
    }

    private static String text(JsonNode body, String field) {
        return body.hasNonNull(field) ? body.get(field).asText() : null;
    }

    private List<Map<String, Object>> describe() {
        long now = System.nanoTime();
        return group.members().stream().map(i -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", i.name());
            m.put("address", i.address().toString());
            m.put("zone", i.zone() == null ? config.policy().zone() : i.zone());
            m.put("state", i.state(now));
            m.put("healthy", i.healthy());
            m.put("ejected", i.ejected(now));
            m.put("draining", i.draining());
            m.put("weight", i.weight());
            m.put("slowStart", Math.round(i.slowStartFactor(now, config.policy().slowStartMs()) * 100) / 100.0);
            m.put("inFlight", i.inFlight());
            m.put("latencyEwmaMs", Math.round(i.latencyEwmaMs() * 100) / 100.0);
            m.put("requests", i.requests());
            m.put("errors", i.errors());
            m.put("lastCheck", i.lastResult());
            return m;
        }).toList();
    }
}
