package io.requestflow.dns.policy;

import io.requestflow.dns.geo.ClientLocation;
import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * One answer, chosen with probability weight / total weight. When every weight is 0 they are chosen evenly
 * (Route 53 does the same), so a set drained to 0 everywhere still answers.
 */
final class WeightedPolicy implements RoutingPolicy {
    @Override
    public Decision choose(List<Candidate> candidates, Supplier<ClientLocation> client, RandomGenerator random) {
        int total = 0;
        for (Candidate c : candidates) {
            total += c.weight();
        }
        if (total == 0) {
            return new Decision(List.of(candidates.get(random.nextInt(candidates.size()))), false);
        }
        int pick = random.nextInt(total);
        for (Candidate c : candidates) {
            pick -= c.weight();
            if (pick < 0) {
                return new Decision(List.of(c), false);
            }
        }
        throw new AssertionError("weights changed while choosing");
    }
}
