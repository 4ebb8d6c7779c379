package io.requestflow.dns.policy;

import io.requestflow.dns.geo.ClientLocation;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * How a record set picks its answer for one query. Implementations see only the candidates that may be answered
 * (the healthy ones, or all of them when none is healthy) and must be stateless: event loops call them at once.
 */
public interface RoutingPolicy {

    /**
     * @param candidates the answerable candidates, never empty
     * @param client     the client's location, computed only if asked for
     * @param random     per-thread randomness
     */
    Decision choose(List<Candidate> candidates, Supplier<ClientLocation> client, RandomGenerator random);

    /** The policy named in config ({@code simple}, {@code weighted}, ...); latency needs the RTT table. */
    static RoutingPolicy named(String name, Map<String, Map<String, Integer>> latencyMs) {
        return switch (name) {
            case "simple" -> new SimplePolicy();
            case "weighted" -> new WeightedPolicy();
            case "latency" -> new LatencyPolicy(latencyMs);
            case "geolocation" -> new GeolocationPolicy();
            case "failover" -> new FailoverPolicy();
            case "multivalue" -> new MultivaluePolicy();
            default -> throw new IllegalArgumentException("unknown routing policy '" + name + "'");
        };
    }
}
