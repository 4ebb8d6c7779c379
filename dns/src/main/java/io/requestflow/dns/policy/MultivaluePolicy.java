package io.requestflow.dns.policy;

import io.requestflow.dns.geo.ClientLocation;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/** Up to eight answerable answers in random order, so clients spread over them (Route 53's multivalue). */
final class MultivaluePolicy implements RoutingPolicy {

    static final int MAX_ANSWERS = 8;

    @Override
    public Decision choose(List<Candidate> candidates, Supplier<ClientLocation> client, RandomGenerator random) {
        List<Candidate> shuffled = new ArrayList<>(candidates);
        // Partial Fisher-Yates: only the first MAX_ANSWERS positions need to be random.
        int n = Math.min(MAX_ANSWERS, shuffled.size());
        for (int i = 0; i < n; i++) {
            int j = i + random.nextInt(shuffled.size() - i);
            Candidate swap = shuffled.get(i);
            shuffled.set(i, shuffled.get(j));
            shuffled.set(j, swap);
        }
        return new Decision(List.copyOf(shuffled.subList(0, n)), false);
    }
}
