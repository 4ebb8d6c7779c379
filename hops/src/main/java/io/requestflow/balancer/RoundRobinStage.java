package io.requestflow.balancer;

import io.requestflow.engine.client.UpstreamException;
import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.engine.proxy.Forwarder;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends each request to the next healthy instance in turn. When the connection to the chosen one
 * fails before anything was sent (refused, connect timeout, pool full), one other healthy instance is
 * tried, since that can never duplicate a request.
 */
public final class RoundRobinStage implements Stage {
    private final List<Instance> instances;
    private final Forwarder forwarder;
    private final AtomicInteger next = new AtomicInteger();

    public RoundRobinStage(List<Instance> instances, Forwarder forwarder) {
        this.instances = instances;
        this.forwarder = forwarder;
    }

    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain chain) {
        Instance first = pick(null);
        if (first == null) {
            exchange.describe("NO_HEALTHY_TARGET");
            return Stage.answer(Problem.of(503, "Service Unavailable",
                    exchange.hop() + ": no healthy instance in the target group", Map.of("hop", exchange.hop(),
                            "requestId", exchange.requestId())));
        }
        exchange.describe(first.name());
        return forwarder.send(exchange, first.address(), forwarder.defaultTimeoutMs())
                .handle((response, error) -> {
                    if (error == null) return CompletableFuture.completedFuture(response);
                    Throwable cause = Forwarder.unwrap(error);
                    Instance second = cause instanceof UpstreamException ue && ue.nothingSent() ? pick(first) : null;
                    if (second == null) return CompletableFuture.completedFuture(Forwarder.problemFor(exchange, cause));
                    exchange.describe(first.name() + " failed, retried " + second.name());
                    return forwarder.forward(exchange, second.address(), forwarder.defaultTimeoutMs());
                })
                .thenCompose(f -> f);
    }

    /** The next healthy instance other than {@code exclude}, or null. */
    private Instance pick(Instance exclude) {
        int n = instances.size();
        for (int i = 0; i < n; i++) {
            Instance candidate = instances.get(Math.floorMod(next.getAndIncrement(), n));
            if (candidate.healthy() && candidate != exclude) return candidate;
        }
        return null;
    }
}
