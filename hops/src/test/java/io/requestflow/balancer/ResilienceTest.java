package io.requestflow.balancer;

import io.requestflow.engine.client.ClientConfig;
import io.requestflow.engine.testing.Http;
import io.requestflow.engine.trace.ServerTiming;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Failures of real instances and what clients see of them. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResilienceTest {
    Harness h = new Harness();

    @AfterEach
    void stop() {
        h.close();
    }

    static String balancerDesc(HttpResponse<String> r) {
        return ServerTiming.parse(r.headers().firstValue("server-timing").orElse("")).stream()
                .filter(e -> e.name().equals("balancer")).findFirst().orElseThrow().desc();
    }

    @Test
    void aKilledInstanceUnderSteadyIdempotentLoadCostsZeroClientErrors() throws Exception {
        h.backends(3).balancer(Harness.policy("round-robin"), ClientConfig.defaults());
        h.backends.forEach(b -> b.delayMs = 5); // so some requests are in flight when the instance dies
        AtomicInteger ok = new AtomicInteger();
        List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2000);
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                running.add(clients.submit(() -> {
                    while (System.nanoTime() < until) {
                        HttpResponse<String> r = Http.get(h.url("/who"));
                        if (r.statusCode() == 200) ok.incrementAndGet();
                        else errors.add(r.statusCode() + " " + r.body());
                    }
                }));
            }
            Harness.sleep(600);
            h.backend(2).kill();
            for (Future<?> f : running) f.get(20, TimeUnit.SECONDS);
        } finally {
            clients.shutdownNow();
        }
        assertThat(errors).isEmpty();
        assertThat(ok.get()).isGreaterThan(100);
        Harness.await(() -> !h.policy.targets().find("backend-2").healthy(), "health checks take it out");
    }

    @Test
    void anInstanceReturning500sIsEjectedAndLaterReturns() {
        var p = Harness.policy("round-robin");
        var ejectFor2s = new BalancerConfig.Policy(p.picker(), p.hashKey(), p.zone(), true, 50, 0, p.drainTimeoutMs(),
                new BalancerConfig.Outlier(3, 3, 2_000, 10_000, 50), p.retry());
        h.backends(3).balancer(ejectFor2s, ClientConfig.defaults());
        h.backend(2).status = 500;
        int fiveHundreds = 0;
        for (int i = 0; i < 30; i++) if (Http.get(h.url("/who")).statusCode() == 500) fiveHundreds++;
        // three 500s in a row eject it (500 is not a retryable status: the client saw them)
        assertThat(fiveHundreds).isEqualTo(3);
        assertThat(Http.get(h.admin("/targets")).body()).contains("\"name\":\"backend-2\"")
                .contains("\"state\":\"ejected\"");
        assertThat(Http.get(h.admin("/metrics")).body())
                .containsPattern("requestflow_balancer_target_ejected\\{.*target=\"backend-2\".*} 1.0");
        h.backend(2).status = 200;
        Harness.await(() -> !h.policy.targets().find("backend-2").ejected(System.nanoTime()), "ejection ends");
        assertThat(h.spread(30, "/who")).containsEntry("backend-2", 10);
    }

    @Test
    void drainingLetsInFlightSlowRequestsFinishWhileNewOnesGoElsewhere() throws Exception {
        h.backends(2).balancer(Harness.policy("round-robin"), ClientConfig.defaults());
        h.backend(1).delayMs = 800;
        List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            for (int i = 0; i < 4; i++) slow.add(CompletableFuture.supplyAsync(() -> Http.get(h.url("/slow")), clients));
            Harness.await(() -> h.policy.targets().find("backend-1").inFlight() == 2, "two slow requests on backend-1");
            long drainStart = System.nanoTime();
            CompletableFuture<HttpResponse<String>> drained = CompletableFuture.supplyAsync(
                    () -> Http.send("DELETE", h.admin("/targets?name=backend-1"), null), clients);
            Harness.await(() -> h.policy.targets().find("backend-1") == null
                    || h.policy.targets().find("backend-1").draining(), "draining");
            assertThat(h.spread(10, "/who")).containsOnlyKeys("backend-2");
            HttpResponse<String> removed = drained.get(10, TimeUnit.SECONDS);
            assertThat(removed.statusCode()).isEqualTo(200);
            assertThat(removed.body()).contains("\"removed\":\"backend-1\"");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - drainStart)).isGreaterThan(300);
            for (var f : slow) assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(slow.stream().map(f -> f.join().body())).contains("backend-1");
            assertThat(h.policy.instances()).extracting(Instance::name).containsExactly("backend-2");
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void theRetryBudgetCapsRetriesWhenEveryInstanceFails() {
        var p = Harness.policy("round-robin");
        var noFloor = new BalancerConfig.Policy(p.picker(), p.hashKey(), p.zone(), true, 0, 0, p.drainTimeoutMs(),
                new BalancerConfig.Outlier(1000, 1000, 500, 2_000, 50), // keep everyone in so every try fails
                new BalancerConfig.Retry(2, 2_000, 1, 2, 20, 0, "x-retryable"));
        h.backends(3).balancer(noFloor, ClientConfig.defaults());
        h.backends.forEach(b -> b.status = 503);
        int exhausted = 0;
        for (int i = 0; i < 100; i++) {
            HttpResponse<String> r = Http.get(h.url("/who"));
            assertThat(r.statusCode()).isEqualTo(503);
            if (balancerDesc(r).contains("retry-budget-exhausted")) exhausted++;
        }
        int hits = h.totalHits(b -> true);
        // without a budget: 300 attempts; with 20%: about 120
        assertThat(hits).isBetween(100, 125);
        assertThat(exhausted).isGreaterThan(70);
    }

    @Test
    void aPostIsNeverRetriedAfterItWasSentUnlessMarkedRetryable() {
        var p = Harness.policy("round-robin");
        var noEjection = new BalancerConfig.Policy(p.picker(), p.hashKey(), p.zone(), true, 0, 0, p.drainTimeoutMs(),
                new BalancerConfig.Outlier(1000, 1000, 500, 2_000, 50), p.retry());
        h.backends(2).balancer(noEjection, ClientConfig.defaults());
        h.backends.forEach(b -> b.postStatus = 503);
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> r = Http.post(h.url("/orders"), "{}");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(balancerDesc(r)).doesNotContain("retries");
        }
        assertThat(h.backend(1).posts.get() + h.backend(2).posts.get()).isEqualTo(10);
        // the client promises the POST is safe to repeat: now it is retried on the other instance (a few tries:
        // on a busy machine a health check may time out and leave backend-1 out of rotation for a moment)
        h.backend(2).postStatus = 200;
        boolean retried = false;
        for (int i = 0; i < 20 && !retried; i++) {
            HttpResponse<String> r = Http.post(h.url("/orders"), "{}", "x-retryable", "true");
            assertThat(r.statusCode()).isEqualTo(200);
            retried = balancerDesc(r).contains("retries=1");
        }
        assertThat(retried).as("a retryable POST that met backend-1's 503 was retried on backend-2").isTrue();
    }

    @Test
    void aRetriedRequestSaysSoInServerTiming() {
        h.backends(2).balancer(Harness.policy("round-robin"), ClientConfig.defaults());
        h.backend(1).status = 503;
        List<String> descs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> r = Http.get(h.url("/who"));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("backend-2");
            descs.add(balancerDesc(r));
        }
        assertThat(descs).contains("backend-2 retries=1");
    }

    @Test
    void theCircuitBreakerAnswersAClear503WhenTooManyRequestsAreInFlight() throws Exception {
        var p = Harness.policy("round-robin");
        var noRetry = new BalancerConfig.Policy(p.picker(), p.hashKey(), p.zone(), true, 0, 0, p.drainTimeoutMs(),
                p.outlier(), new BalancerConfig.Retry(0, 2_000, 1, 2, 20, 3, "x-retryable"));
        ClientConfig d = ClientConfig.defaults();
        ClientConfig two = new ClientConfig(d.connectTimeoutMs(), d.readTimeoutMs(), d.maxConnections(),
                d.maxPending(), d.acquireTimeoutMs(), d.idleTimeoutMs(), d.maxResponseBytes(), 2);
        h.backends(1).balancer(noRetry, two);
        h.backend(1).delayMs = 500;
        ExecutorService clients = Executors.newFixedThreadPool(5);
        try {
            List<Future<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 5; i++) calls.add(clients.submit(() -> Http.get(h.url("/slow"))));
            int ok = 0;
            int rejected = 0;
            for (var c : calls) {
                HttpResponse<String> r = c.get(10, TimeUnit.SECONDS);
                if (r.statusCode() == 200) ok++;
                if (r.statusCode() == 503) {
                    rejected++;
                    assertThat(r.body()).contains("circuit breaker").contains("maxRequests");
                    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
                }
            }
            assertThat(ok).isEqualTo(2);
            assertThat(rejected).isEqualTo(3);
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void aNewlyHealthyInstanceRampsUpDuringSlowStart() {
        var p = Harness.policy("round-robin");
        var slow = new BalancerConfig.Policy(p.picker(), p.hashKey(), p.zone(), true, 50, 60_000, p.drainTimeoutMs(),
                p.outlier(), p.retry());
        h.backends(3).balancer(slow, ClientConfig.defaults(),
                h.backends.subList(0, 2).stream().map(b -> b.target(1, null)).toList());
        h.policy.targets().register(h.backend(3).target(1, null));
        h.awaitHealthy(3);
        // the first two started with the balancer (no ramp); the third joined later and ramps up.
        // Round robin would give it 100 of 300; ten percent into a 60 s window it gets far less.
        var counts = h.spread(300, "/who");
        assertThat(counts.getOrDefault("backend-3", 0)).isLessThan(40);
    }

    @Test
    void withPanicOffNoHealthyInstanceIsAClear503Problem() {
        var p = Harness.policy("round-robin");
        var noPanic = new BalancerConfig.Policy(p.picker(), p.hashKey(), p.zone(), true, 0, 0, p.drainTimeoutMs(),
                p.outlier(), p.retry());
        h.backends(2).balancer(noPanic, ClientConfig.defaults());
        h.backends.forEach(b -> b.ready.set(false));
        h.awaitHealthy(0);
        HttpResponse<String> r = Http.get(h.url("/who"));
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("no healthy instance");
        assertThat(balancerDesc(r)).isEqualTo("NO_HEALTHY_TARGET");
        assertThat(Http.get(h.admin("/readyz")).statusCode()).isEqualTo(503);
    }

    @Test
    void panicModeSpreadsOverEveryInstanceWhenTooFewAreHealthy() {
        h.backends(3).balancer(Harness.policy("round-robin"), ClientConfig.defaults());
        h.backend(1).ready.set(false);
        h.awaitHealthy(2);
        assertThat(h.spread(12, "/who")).containsOnlyKeys("backend-2", "backend-3"); // 2 of 3 = 67%: no panic
        h.backend(2).ready.set(false);
        h.awaitHealthy(1);
        // 1 of 3 healthy is under the 50% threshold: the checks are probably wrong, so use everybody
        assertThat(h.spread(12, "/who")).containsOnlyKeys("backend-1", "backend-2", "backend-3");
        assertThat(balancerDesc(Http.get(h.url("/who")))).endsWith(" panic");
    }

    @Test
    void gracefulShutdownOfAHopLetsItsInFlightRequestsFinish() throws Exception {
        h.backends(1).balancer(Harness.policy("round-robin"), ClientConfig.defaults());
        h.backend(1).delayMs = 600;
        CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> Http.get(h.url("/slow")));
        Harness.await(() -> h.policy.targets().find("backend-1").inFlight() == 1, "request in flight");
        int port = h.balancer.address().getPort();
        h.balancer.close(); // stops accepting at once, waits for the in-flight request (drain timeout 5 s)
        h.balancer = null;
        HttpResponse<String> r = slow.get(10, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("backend-1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Http.get("http://127.0.0.1:" + port + "/who"))
                .isInstanceOf(java.io.UncheckedIOException.class);
    }
}
