package io.requestflow.balancer;

import io.requestflow.engine.pipeline.Exchange;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Power of two choices: of two random candidates, the one with fewer requests in flight per unit of
 * weight. The EWMA variant multiplies by the instance's recent latency (Finagle's "peak EWMA" idea),
 * so a slow instance looks loaded before its queue builds up.
 */
final class LeastRequestPicker implements Picker {
    private final boolean ewma;

    LeastRequestPicker(boolean ewma) {
        this.ewma = ewma;
    }

    @Override
    public Instance pick(List<Instance> candidates, Exchange exchange) {
        int n = candidates.size();
        if (n == 1) return candidates.getFirst();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int a = random.nextInt(n);
        int b = random.nextInt(n - 1);
        if (b >= a) b++;
        Instance x = candidates.get(a);
        Instance y = candidates.get(b);
        return cost(x) <= cost(y) ? x : y;
    }

    private double cost(Instance i) {
        double load = (i.inFlight() + 1.0) / i.weight();
        // an instance never measured counts as fast, so new instances get tried
        return ewma ? load * Math.max(0.001, i.latencyEwmaMs()) : load;
    }
}
