package io.requestflow.dns.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.requestflow.dns.DnsConfig;
import io.requestflow.dns.geo.ClientLocation;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Each routing policy on its own, with many draws where chance is involved. */
class RoutingPolicyTest {

    private static final Supplier<ClientLocation> EU =
            () -> new ClientLocation("eu-west", "IE", "EU", 24, "cidr");
    private final RandomGenerator random = new SplittableRandom(7);

    @Test
    void weightedSharesMatchTheWeightsOverManyDraws() {
        List<Candidate> candidates = List.of(c("a", 10), c("b", 30), c("c", 60), c("zero", 0));
        RoutingPolicy policy = RoutingPolicy.named("weighted", Map.of());
        int n = 100_000;
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(policy.choose(candidates, EU, random).chosen().get(0).id(), 1, Integer::sum);
        }
        // binomial sd at p = 0.3 over 100k is ~145: 5 sd is under 1% of n
        assertThat(counts.get("a")).isBetween(9_000, 11_000);
        assertThat(counts.get("b")).isBetween(29_000, 31_000);
        assertThat(counts.get("c")).isBetween(59_000, 61_000);
        assertThat(counts).doesNotContainKey("zero");

        List<Candidate> allZero = List.of(c("x", 0), c("y", 0));
        Set<String> seen = new HashSet<>();
        IntStream.range(0, 200).forEach(i -> seen.add(policy.choose(allZero, EU, random).chosen().get(0).id()));
        assertThat(seen).as("all weights 0: chosen evenly, not never").containsExactlyInAnyOrder("x", "y");
    }

    @Test
    void latencyPicksTheLowestConfiguredRoundTrip() {
        RoutingPolicy policy = RoutingPolicy.named("latency", DnsConfig.DEFAULT_LATENCY_MS);
        List<Candidate> candidates = List.of(region("us", "us-east"), region("ap", "ap-south"),
                region("eu", "eu-west"), region("nowhere", null));
        assertThat(policy.choose(candidates, EU, random).chosen().get(0).id()).isEqualTo("eu");
        assertThat(policy.choose(candidates, EU, random).locationDependent()).isTrue();
        Supplier<ClientLocation> ap = () -> new ClientLocation("ap-south", "IN", "AS", 24, "cidr");
        assertThat(policy.choose(candidates, ap, random).chosen().get(0).id()).isEqualTo("ap");
        assertThat(policy.choose(List.of(region("us", "us-east"), region("eu", "eu-west")), ap, random)
                .chosen().get(0).id()).as("ap-south → eu-west is 120 ms, → us-east 200 ms").isEqualTo("eu");
    }

    @Test
    void geolocationPrefersRegionThenCountryThenContinentThenDefault() {
        RoutingPolicy policy = RoutingPolicy.named("geolocation", Map.of());
        Candidate region = geo("region", "region:eu-west");
        Candidate country = geo("country", "country:IE");
        Candidate continent = geo("continent", "continent:EU");
        Candidate fallback = geo("default", "*");
        Candidate elsewhere = geo("elsewhere", "country:JP");
        assertThat(pick(policy, List.of(fallback, continent, country, region))).isEqualTo("region");
        assertThat(pick(policy, List.of(fallback, continent, country))).isEqualTo("country");
        assertThat(pick(policy, List.of(fallback, continent, elsewhere))).isEqualTo("continent");
        assertThat(pick(policy, List.of(elsewhere, fallback))).isEqualTo("default");
        assertThat(policy.choose(List.of(elsewhere), EU, random).chosen()).as("no match, no default").isEmpty();
    }

    @Test
    void failoverTakesThePrimaryWhenItIsAmongTheAnswerable() {
        RoutingPolicy policy = RoutingPolicy.named("failover", Map.of());
        Candidate primary = new Candidate("p", List.of(), 1, null, null, true, null);
        Candidate secondary = new Candidate("s", List.of(), 1, null, null, false, null);
        assertThat(policy.choose(List.of(secondary, primary), EU, random).chosen()).containsExactly(primary);
        assertThat(policy.choose(List.of(secondary), EU, random).chosen()).containsExactly(secondary);
    }

    @Test
    void multivalueGivesAtMostEightInEveryOrder() {
        RoutingPolicy policy = RoutingPolicy.named("multivalue", Map.of());
        List<Candidate> twelve = IntStream.range(0, 12).mapToObj(i -> c("m" + i, 1)).toList();
        Map<String, Integer> firsts = new HashMap<>();
        for (int i = 0; i < 12_000; i++) {
            List<Candidate> chosen = policy.choose(twelve, EU, random).chosen();
            assertThat(chosen).hasSize(8).doesNotHaveDuplicates();
            firsts.merge(chosen.get(0).id(), 1, Integer::sum);
        }
        assertThat(firsts).hasSize(12).allSatisfy((id, n) -> assertThat(n).as(id).isBetween(800, 1200));
        assertThat(policy.choose(twelve.subList(0, 3), EU, random).chosen()).hasSize(3);
    }

    private String pick(RoutingPolicy policy, List<Candidate> candidates) {
        return policy.choose(candidates, EU, random).chosen().get(0).id();
    }

    private static Candidate c(String id, int weight) {
        return new Candidate(id, List.of(), weight, null, null, true, null);
    }

    private static Candidate region(String id, String region) {
        return new Candidate(id, List.of(), 1, region, null, true, null);
    }

    private static Candidate geo(String id, String location) {
        return new Candidate(id, List.of(), 1, null, location, true, null);
    }
}
