package io.requestflow.balancer;

import io.requestflow.engine.pipeline.Exchange;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Each candidate in turn; weights are ignored. */
final class RoundRobinPicker implements Picker {
    private final AtomicInteger next = new AtomicInteger();

    @Override
    public Instance pick(List<Instance> candidates, Exchange exchange) {
        return candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size()));
    }
}
