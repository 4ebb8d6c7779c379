package io.requestflow.balancer;

import io.requestflow.engine.client.ClientConfig;
import io.requestflow.engine.testing.Http;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Each picker keeps its promise, measured over real sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PickersTest {
    Harness h = new Harness();

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void roundRobinIsEven() {
        h.backends(3).balancer(Harness.policy("round-robin"), ClientConfig.defaults());
        assertThat(h.spread(30, "/who")).containsOnly(Map.entry("backend-1", 10), Map.entry("backend-2", 10),
                Map.entry("backend-3", 10));
    }

    @Test
    void smoothWeightedRoundRobinHonoursWeightsWithoutBursts() {
        h.backends(3).balancer(Harness.policy("weighted-round-robin"), ClientConfig.defaults(), 3, 1, 1);
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 50; i++) order.add(Http.get(h.url("/who")).body());
        Map<String, Integer> counts = new HashMap<>();
        order.forEach(b -> counts.merge(b, 1, Integer::sum));
        assertThat(counts).containsOnly(Map.entry("backend-1", 30), Map.entry("backend-2", 10),
                Map.entry("backend-3", 10));
        // smooth: the heavy instance never takes more than 2 in a row (3:1:1 interleaves as a a b a c)
        for (int i = 2; i < order.size(); i++) {
            assertThat(order.get(i).equals(order.get(i - 1)) && order.get(i).equals(order.get(i - 2))).isFalse();
        }
    }

    @Test
    void randomSpreadsRoughlyEvenly() {
        h.backends(3).balancer(Harness.policy("random"), ClientConfig.defaults());
        Map<String, Integer> counts = h.spread(300, "/who");
        assertThat(counts).hasSize(3);
        counts.values().forEach(c -> assertThat(c).isBetween(60, 140));
    }

    @Test
    void ringHashIsStickyAndMovesAboutOneNthOfKeysWhenAnInstanceJoins() {
        h.backends(4).balancer(Harness.policy("ring-hash"), ClientConfig.defaults(),
                h.backends.subList(0, 3).stream().map(b -> b.target(1, null)).toList());
        Map<String, String> before = new HashMap<>();
        for (int k = 0; k < 300; k++) before.put("user-" + k, Http.get(h.url("/who"), "x-user", "user-" + k).body());
        assertThat(new java.util.HashSet<>(before.values())).containsExactlyInAnyOrder("backend-1", "backend-2",
                "backend-3");
        for (int k = 0; k < 300; k += 10) {
            assertThat(Http.get(h.url("/who"), "x-user", "user-" + k).body()).isEqualTo(before.get("user-" + k));
        }
        // a fourth instance joins through the admin API
        var target = h.backend(4).target(1, null);
        var added = Http.post(h.admin("/targets"), "{\"name\":\"backend-4\",\"address\":\"" + target.address()
                + "\",\"healthUrl\":\"" + target.healthUrl() + "\"}", "content-type", "application/json");
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        h.awaitHealthy(4);
        int moved = 0;
        for (int k = 0; k < 300; k++) {
            String now = Http.get(h.url("/who"), "x-user", "user-" + k).body();
            if (!now.equals(before.get("user-" + k))) {
                moved++;
                assertThat(now).as("a key only moves to the new instance").isEqualTo("backend-4");
            }
        }
        // ideal is 1/4 of 300 = 75
        assertThat(moved).isBetween(40, 115);
    }

    @Test
    void leastRequestPrefersTheLessLoadedInstance() throws Exception {
        h.backends(2).balancer(Harness.policy("least-request"), ClientConfig.defaults());
        h.backend(1).delayMs = 200;
        ExecutorService clients = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> running = new ArrayList<>();
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
            for (int c = 0; c < 6; c++) {
                running.add(clients.submit(() -> {
                    while (System.nanoTime() < until) assertThat(Http.get(h.url("/who")).statusCode()).isEqualTo(200);
                }));
            }
            for (Future<?> f : running) f.get(20, TimeUnit.SECONDS);
        } finally {
            clients.shutdownNow();
        }
        // round robin would split evenly; P2C keeps the slow instance at about one request in flight
        assertThat(h.backend(2).hits.get()).isGreaterThan(5 * h.backend(1).hits.get());
    }

    @Test
    void leastRequestEwmaAvoidsTheSlowInstanceEvenWithoutConcurrency() {
        h.backends(2).balancer(Harness.policy("least-request-ewma"), ClientConfig.defaults());
        h.backend(1).delayMs = 40;
        h.spread(60, "/who");
        assertThat(h.backend(2).hits.get()).isGreaterThan(3 * h.backend(1).hits.get());
    }

    @Test
    void withCrossZoneOffTrafficStaysInTheLocalZoneUntilItHasNoInstance() {
        h.backends(3);
        var policy = Harness.policy("round-robin");
        policy = new BalancerConfig.Policy(policy.picker(), policy.hashKey(), "zone-a", false, 0, 0,
                policy.drainTimeoutMs(), policy.outlier(), policy.retry());
        h.balancer(policy, ClientConfig.defaults(), List.of(h.backend(1).target(1, "zone-a"),
                h.backend(2).target(1, "zone-a"), h.backend(3).target(1, "zone-b")));
        assertThat(h.spread(20, "/who")).containsOnlyKeys("backend-1", "backend-2");
        h.backend(1).ready.set(false);
        h.backend(2).ready.set(false);
        h.awaitHealthy(1);
        assertThat(h.spread(5, "/who")).containsOnlyKeys("backend-3");
    }
}
