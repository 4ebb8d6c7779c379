package io.requestflow.balancer;

import io.requestflow.engine.client.ClientConfig;
import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.hop.HopContext;
import io.requestflow.engine.hop.HttpHop;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.engine.server.ServerConfig;
import io.requestflow.engine.testing.Http;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** Real backends on ephemeral ports and a real balancer in front of them, with knobs for faults. */
final class Harness implements AutoCloseable {
    static final HostPort ANY = new HostPort("127.0.0.1", 0);
    static final BalancerConfig.HealthCheck FAST_CHECKS = new BalancerConfig.HealthCheck(100, 500, 1, 1, 10);

    /** A backend that answers its name, with a status, a delay and hit counters the test controls. */
    static final class Backend {
        final String name;
        final AtomicBoolean ready = new AtomicBoolean(true);
        volatile int status = 200;
        volatile int postStatus = 200;
        volatile long delayMs;
        final AtomicInteger hits = new AtomicInteger();
        final AtomicInteger posts = new AtomicInteger();
        HttpHop hop;
        private boolean closed;

        Backend(String name) {
            this.name = name;
        }

        Stage stage() {
            return (exchange, next) -> {
                boolean post = exchange.request().method().equals("POST");
                hits.incrementAndGet();
                if (post) posts.incrementAndGet();
                Response r = Response.text(post ? postStatus : status, name);
                long delay = exchange.request().path().equals("/slow") ? Math.max(delayMs, 1) : delayMs;
                if (delay <= 0) return CompletableFuture.completedFuture(r);
                return CompletableFuture.supplyAsync(() -> r,
                        CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS));
            };
        }

        /** Stops the backend; with no drain time its open connections are cut. */
        synchronized void kill() {
            if (!closed) hop.close();
            closed = true;
        }

        BalancerConfig.Target target(int weight, String zone) {
            return new BalancerConfig.Target(name, HostPort.of(hop.address()).toString(),
                    "http://" + HostPort.of(hop.adminAddress()) + "/readyz", weight, zone);
        }
    }

    final Engine engine = new Engine(2, 100);
    final List<Backend> backends = new ArrayList<>();
    HttpHop balancer;
    BalancerHop policy;

    Harness backends(int n) {
        for (int i = 1; i <= n; i++) {
            Backend b = new Backend("backend-" + i);
            // a short drain so that closing a backend is close to killing it
            ServerConfig server = new ServerConfig(1 << 20, 16 * 1024, 8 * 1024, 60_000, 0, 64);
            b.hop = HttpHop.start(engine.hop("backend", b.name), new HttpHop.Spec(ANY, ANY, server, 5000),
                    List.of(b.stage()), () -> b.ready.get() ? null : "switched off by the test", Map.of());
            backends.add(b);
        }
        return this;
    }

    Harness balancer(BalancerConfig.Policy policy, ClientConfig client, int... weights) {
        List<BalancerConfig.Target> targets = new ArrayList<>();
        for (int i = 0; i < backends.size(); i++) {
            targets.add(backends.get(i).target(weights.length > i ? weights[i] : 1, null));
        }
        return balancer(policy, client, targets);
    }

    Harness balancer(BalancerConfig.Policy policy, ClientConfig client, List<BalancerConfig.Target> targets) {
        HopContext ctx = engine.hop("balancer", "balancer-1");
        this.policy = new BalancerHop(new BalancerConfig(targets, FAST_CHECKS, policy), ctx, client);
        balancer = HttpHop.start(ctx, new HttpHop.Spec(ANY, ANY, ServerConfig.defaults(), 10_000),
                this.policy.stages(), this.policy::notReadyReason, this.policy.adminRoutes());
        this.policy.startHealthChecks();
        awaitHealthy(targets.size());
        return this;
    }

    /** Fast test settings: no slow start, short ejections, quick backoff, a short drain. */
    static BalancerConfig.Policy policy(String picker) {
        return new BalancerConfig.Policy(picker, "header:x-user", "local", true, 50, 0, 5_000,
                new BalancerConfig.Outlier(3, 3, 500, 2_000, 50),
                new BalancerConfig.Retry(2, 2_000, 5, 20, 20, 3, "x-retryable"));
    }

    String url(String path) {
        return "http://127.0.0.1:" + balancer.address().getPort() + path;
    }

    String admin(String path) {
        return "http://127.0.0.1:" + balancer.adminAddress().getPort() + path;
    }

    void awaitHealthy(int n) {
        await(() -> policy.instances().stream().filter(Instance::healthy).count() == n,
                "instances healthy: " + n);
    }

    static void await(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) sleep(10);
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** GETs {@code path} {@code n} times and counts the answering backends (all must answer 200). */
    Map<String, Integer> spread(int n, String path, String... headers) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = Http.get(url(path), headers);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            counts.merge(r.body(), 1, Integer::sum);
        }
        return counts;
    }

    Backend backend(int i) {
        return backends.get(i - 1);
    }

    int totalHits(Predicate<Backend> which) {
        return backends.stream().filter(which).mapToInt(b -> b.hits.get()).sum();
    }

    @Override
    public void close() {
        if (balancer != null) balancer.close();
        for (Backend b : backends) b.kill();
        engine.close();
    }
}
