package io.requestflow.dns.policy;

import io.requestflow.dns.geo.ClientLocation;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The answer whose region has the lowest configured round trip from the client's region; a pair with no
 * configured figure counts as farthest. Ties go to the first configured.
 */
final class LatencyPolicy implements RoutingPolicy {

    private final Map<String, Map<String, Integer>> latencyMs;

    LatencyPolicy(Map<String, Map<String, Integer>> latencyMs) {
        this.latencyMs = latencyMs;
    }

    @Override
    public Decision choose(List<Candidate> candidates, Supplier<ClientLocation> client, RandomGenerator random) {
        Map<String, Integer> row = latencyMs.getOrDefault(client.get().region(), Map.of());
        Candidate best = candidates.get(0);
        int bestMs = Integer.MAX_VALUE;
        for (Candidate c : candidates) {
            int ms = c.region() == null ? Integer.MAX_VALUE : row.getOrDefault(c.region(), Integer.MAX_VALUE);
            if (ms < bestMs) {
                best = c;
                bestMs = ms;
            }
        }
        return new Decision(List.of(best), true);
    }
}
