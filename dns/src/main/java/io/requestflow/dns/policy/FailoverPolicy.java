package io.requestflow.dns.policy;

import io.requestflow.dns.geo.ClientLocation;
import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The primary while it is answerable, else the secondary. Health filtering happens before: when both are down
 * both are answerable again (fail open) and the primary wins, as in Route 53.
 */
final class FailoverPolicy implements RoutingPolicy {
    @Override
    public Decision choose(List<Candidate> candidates, Supplier<ClientLocation> client, RandomGenerator random) {
        for (Candidate c : candidates) {
            if (c.primary()) {
                return new Decision(List.of(c), false);
            }
        }
        return new Decision(List.of(candidates.get(0)), false);
    }
}
