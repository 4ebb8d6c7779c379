package io.requestflow.dns.policy;

import io.requestflow.dns.geo.ClientLocation;
import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The answer whose location matches the client most specifically: region, then country, then continent, then
 * the default ({@code *}). No match and no default: no answer, as Route 53 does.
 */
final class GeolocationPolicy implements RoutingPolicy {

    @Override
    public Decision choose(List<Candidate> candidates, Supplier<ClientLocation> client, RandomGenerator random) {
        ClientLocation where = client.get();
        Candidate best = null;
        int bestScore = -1;
        for (Candidate c : candidates) {
            int score = score(c.location(), where);
            if (score > bestScore) {
                best = c;
                bestScore = score;
            }
        }
        return new Decision(best == null ? List.of() : List.of(best), true);
    }

    /** 3 region, 2 country, 1 continent, 0 default, -1 no match. */
    static int score(String location, ClientLocation where) {
        if (location == null) {
            return -1;
        }
        if (location.equals("*")) {
            return 0;
        }
        int colon = location.indexOf(':');
        if (colon < 0) {
            return -1;
        }
        String kind = location.substring(0, colon);
        String value = location.substring(colon + 1);
        return switch (kind) {
            case "region" -> value.equalsIgnoreCase(where.region()) ? 3 : -1;
            case "country" -> value.equalsIgnoreCase(where.country()) ? 2 : -1;
            case "continent" -> value.equalsIgnoreCase(where.continent()) ? 1 : -1;
            default -> -1;
        };
    }
}
