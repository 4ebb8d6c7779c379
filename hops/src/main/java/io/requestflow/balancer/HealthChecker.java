package io.requestflow.balancer;

import io.netty.channel.EventLoopGroup;
import io.requestflow.engine.client.UpstreamClient;
import io.requestflow.engine.http.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Probes each watched instance's readiness URL on a jittered interval and flips its health on the
 * thresholds. Checking an instance stops when it leaves the target group.
 */
public final class HealthChecker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);

    private final BalancerConfig.HealthCheck config;
    private final UpstreamClient client;
    private final EventLoopGroup group;
    private volatile boolean closed;

    public HealthChecker(BalancerConfig.HealthCheck config, UpstreamClient client, EventLoopGroup group) {
        this.config = config;
        this.client = client;
        this.group = group;
    }

    /** Checks {@code instance} now, then keeps checking it on the interval until it is removed. */
    void watch(Instance instance) {
        check(instance);
    }

    private void check(Instance instance) {
        if (closed || instance.removed()) return;
        Request probe = Request.of("GET", instance.healthPath());
        probe.headers().set("user-agent", "requestflow-balancer-healthcheck");
        client.send(instance.healthAddress(), probe, config.timeoutMs()).whenComplete((response, error) -> {
            boolean pass = error == null && response.status() >= 200 && response.status() < 400;
            if (response != null) response.release(); // only the status counts (a no-op for a copied body)
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
        if (closed || instance.removed()) return;
        long jitter = config.intervalMs() * config.jitterPercent() / 100;
        long delay = config.intervalMs() + (jitter > 0 ? ThreadLocalRandom.current().nextLong(-jitter, jitter + 1) : 0);
        try {
            group.next().schedule(() -> check(instance), Math.max(1, delay), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the event loops are shutting down: stop checking
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
