package io.requestflow.balancer;

import io.micrometer.core.instrument.Gauge;
import io.requestflow.engine.client.ClientConfig;
import io.requestflow.engine.hop.HopContext;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.engine.proxy.Forwarder;
import io.requestflow.engine.server.RequestHandler;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The balancer: "which healthy instance takes it?" Round robin over health-checked instances. */
public final class BalancerHop {
    private final List<Instance> instances;
    private final HealthChecker checker;
    private final Forwarder forwarder;

    public BalancerHop(BalancerConfig config, HopContext context, ClientConfig clientConfig) {
        this.instances = config.targets().stream()
                .map(t -> new Instance(t.name() == null ? t.address() : t.name(), t.hostPort(), t.healthUrlOrDefault()))
                .toList();
        this.forwarder = new Forwarder(context.client(clientConfig));
        this.checker = context.own(new HealthChecker(instances, config.healthCheck(),
                context.client(clientConfig), context.engine().group()));
        for (Instance instance : instances) {
            Gauge.builder("requestflow.balancer.target.healthy", instance, i -> i.healthy() ? 1 : 0)
                    .description("1 when the target passes its health checks")
                    .tag("target", instance.name())
                    .register(context.registry());
        }
    }

    public List<Stage> stages() {
        return List.of(new RoundRobinStage(instances, forwarder));
    }

    public void startHealthChecks() {
        checker.start();
    }

    public List<Instance> instances() {
        return instances;
    }

    /** Ready when at least one instance is healthy. */
    public String notReadyReason() {
        return instances.stream().anyMatch(Instance::healthy) ? null : "no healthy instance in the target group";
    }

    /** Admin route {@code /targets}: each instance's address and health. */
    public Map<String, RequestHandler> adminRoutes() {
        return Map.of("/targets", request -> CompletableFuture.completedFuture(Response.json(200,
                instances.stream().map(i -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("name", i.name());
                    m.put("address", i.address().toString());
                    m.put("healthy", i.healthy());
                    m.put("lastCheck", i.lastResult());
                    return m;
                }).toList())));
    }
}
