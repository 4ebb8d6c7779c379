package io.requestflow.balancer;

import io.requestflow.engine.pipeline.Exchange;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Smooth weighted round robin (the nginx algorithm): every pick adds each candidate's weight to its
 * running score, takes the highest and subtracts the total from it. Weights 5,1,1 give a a b a c a a
 * rather than a a a a a b c, so a heavy instance never gets a burst.
 */
final class WeightedRoundRobinPicker implements Picker {
    private final Map<Instance, long[]> current = new IdentityHashMap<>();

    @Override
    public synchronized Instance pick(List<Instance> candidates, Exchange exchange) {
        if (current.size() > candidates.size() * 2 + 8) current.keySet().removeIf(Instance::removed);
        long total = 0;
        Instance best = null;
        long[] bestScore = null;
        for (Instance i : candidates) {
            long[] score = current.computeIfAbsent(i, k -> new long[1]);
            score[0] += i.weight();
            total += i.weight();
            if (best == null || score[0] > bestScore[0]) {
                best = i;
                bestScore = score;
            }
        }
        bestScore[0] -= total;
        return best;
    }
}
