package io.requestflow.balancer;

import io.requestflow.engine.pipeline.Exchange;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** A random candidate, with probability proportional to its weight. */
final class RandomPicker implements Picker {
    @Override
    public Instance pick(List<Instance> candidates, Exchange exchange) {
        int total = 0;
        for (Instance i : candidates) total += i.weight();
        int r = ThreadLocalRandom.current().nextInt(total);
        for (Instance i : candidates) {
            r -= i.weight();
            if (r < 0) return i;
        }
        return candidates.getLast();
    }
}
