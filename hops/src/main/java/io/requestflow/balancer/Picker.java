package io.requestflow.balancer;

import io.requestflow.engine.pipeline.Exchange;

import java.util.List;

/** Chooses one instance for a request among the candidates the target group offers. */
public interface Picker {
    /**
     * @param candidates instances that may take the request now; never empty
     * @param exchange   the request (ring hash reads its key from it)
     */
    Instance pick(List<Instance> candidates, Exchange exchange);
}
