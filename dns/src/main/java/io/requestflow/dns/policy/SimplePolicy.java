package io.requestflow.dns.policy;

import io.requestflow.dns.geo.ClientLocation;
import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/** Every answer, in configured order. */
final class SimplePolicy implements RoutingPolicy {
    @Override
    public Decision choose(List<Candidate> candidates, Supplier<ClientLocation> client, RandomGenerator random) {
        return new Decision(candidates, false);
    }
}
