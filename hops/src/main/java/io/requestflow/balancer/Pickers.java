package io.requestflow.balancer;

import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/** The pickers by their config name. */
public final class Pickers {
    public static final List<String> NAMES = List.of("round-robin", "weighted-round-robin", "least-request",
            "least-request-ewma", "ring-hash", "random");

    private Pickers() {}

    static void validate(String name) {
        if (name == null || !NAMES.contains(name.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("balancer picker '" + name + "' is unknown; choose one of " + NAMES);
        }
    }

    /** A new picker; ring hash builds its ring over {@code members}, so keys stay put when others fail. */
    static Picker create(BalancerConfig.Policy policy, Supplier<List<Instance>> members) {
        return switch (policy.picker()) {
            case "round-robin" -> new RoundRobinPicker();
            case "weighted-round-robin" -> new WeightedRoundRobinPicker();
            case "least-request" -> new LeastRequestPicker(false);
            case "least-request-ewma" -> new LeastRequestPicker(true);
            case "ring-hash" -> new RingHashPicker(members, RingHashPicker.KeySource.parse(policy.hashKey()));
            case "random" -> new RandomPicker();
            default -> throw new IllegalArgumentException(policy.picker());
        };
    }
}
