package io.requestflow.balancer;

import io.netty.channel.EventLoopGroup;
import io.requestflow.engine.client.UpstreamClient;
import io.requestflow.engine.http.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** Probes every instance's readiness URL on a jittered interval and flips its health on the thresholds. */
public final class HealthChecker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);

    private final List<Instance> instances;
    private final BalancerConfig.HealthCheck config;
    private final UpstreamClient client;
    private final EventLoopGroup group;
    private volatile boolean closed;

    public HealthChecker(List<Instance> instances, BalancerConfig.HealthCheck config, UpstreamClient client,
                         EventLoopGroup group) {
        this.instances = instances;
        this.config = config;
        this.client = client;
        this.group = group;
    }

    /** Checks every instance now, then keeps checking on the interval. */
    public void start() {
        for (Instance instance : instances) check(instance);
    }

    private void check(Instance instance) {
        if (closed) return;
        Request probe = Request.of("GET", instance.healthPath());
        probe.headers().set("user-agent", "requestflow-balancer-healthcheck");
        client.send(instance.healthAddress(), probe, config.timeoutMs()).whenComplete((response, error) -> {
            boolean pass = error == null && response.status() >= 200 && response.status() < 400;
            String result = error != null ? String.valueOf(error.getCause() != null ? error.getCause().getMessage()
                    : error.getMessage()) : "HTTP " + response.status();
            if (instance.record(pass, result, config)) {
                LOG.info("balancer: {} ({}) is now {} after: {}", instance.name(), instance.address(),
                        instance.healthy() ? "HEALTHY" : "UNHEALTHY", result);
            }
            schedule(instance);
        });
    }

    private void schedule(Instance instance) {
        if (closed) return;
        long jitter = config.intervalMs() / 10;
        long delay = config.intervalMs() + (jitter > 0 ? ThreadLocalRandom.current().nextLong(-jitter, jitter + 1) : 0);
        try {
            group.next().schedule(() -> check(instance), Math.max(1, delay), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the event loops are shutting down: stop checking
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
