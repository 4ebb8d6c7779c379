package io.requestflow.balancer;

import io.requestflow.engine.admin.AdminServer;
import io.requestflow.engine.client.ClientConfig;
import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.hop.HopContext;
import io.requestflow.engine.hop.HttpHop;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.server.ServerConfig;
import io.requestflow.engine.service.Router;
import io.requestflow.engine.testing.Http;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RoundRobinStageTest {
    static final HostPort ANY = new HostPort("127.0.0.1", 0);
    Engine engine;
    List<HttpHop> backends = new ArrayList<>();
    List<AtomicBoolean> ready = new ArrayList<>();
    HttpHop balancer;
    BalancerHop policy;

    @BeforeEach
    void start() {
        engine = new Engine(2, 100);
        for (int i = 1; i <= 3; i++) {
            String name = "backend-" + i;
            AtomicBoolean isReady = new AtomicBoolean(true);
            ready.add(isReady);
            backends.add(HttpHop.start(engine.hop(name, name), new HttpHop.Spec(ANY, ANY, ServerConfig.defaults(), 5000),
                    List.of(Router.builder().get("/who", (ex, p) -> Response.text(200, name)).build(engine.blocking())),
                    () -> isReady.get() ? null : "switched off by the test", Map.of()));
        }
        List<BalancerConfig.Target> targets = backends.stream().map(b -> new BalancerConfig.Target(
                b.context().instance(), HostPort.of(b.address()).toString(),
                "http://" + HostPort.of(b.adminAddress()) + "/readyz")).toList();
        HopContext ctx = engine.hop("balancer", "balancer-1");
        policy = new BalancerHop(new BalancerConfig(targets, new BalancerConfig.HealthCheck(100, 500, 2, 2)), ctx,
                ClientConfig.defaults());
        balancer = HttpHop.start(ctx, new HttpHop.Spec(ANY, ANY, ServerConfig.defaults(), 5000), policy.stages(),
                policy::notReadyReason, policy.adminRoutes());
        policy.startHealthChecks();
        awaitHealthy(3);
    }

    @AfterEach
    void stop() {
        balancer.close();
        backends.forEach(HttpHop::close);
        engine.close();
    }

    void awaitHealthy(int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (policy.instances().stream().filter(Instance::healthy).count() != n && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        assertThat(policy.instances().stream().filter(Instance::healthy).count()).isEqualTo(n);
    }

    Map<String, Integer> spread(int requests) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < requests; i++) {
            var r = Http.get("http://127.0.0.1:" + balancer.address().getPort() + "/who");
            assertThat(r.statusCode()).isEqualTo(200);
            counts.merge(r.body(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void roundRobinIsEven() {
        assertThat(spread(30)).containsOnly(Map.entry("backend-1", 10), Map.entry("backend-2", 10),
                Map.entry("backend-3", 10));
    }

    @Test
    void anInstanceFailingItsChecksGetsNoTrafficAndReturnsAfterPassing() {
        ready.get(1).set(false);
        awaitHealthy(2);
        assertThat(spread(20)).containsOnlyKeys("backend-1", "backend-3");
        ready.get(1).set(true);
        awaitHealthy(3);
        assertThat(spread(30)).containsKey("backend-2");
    }

    @Test
    void noHealthyInstanceIs503Problem() {
        ready.forEach(r -> r.set(false));
        awaitHealthy(0);
        var r = Http.get("http://127.0.0.1:" + balancer.address().getPort() + "/who");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("no healthy instance");
        var readyz = Http.get("http://127.0.0.1:" + balancer.adminAddress().getPort() + "/readyz");
        assertThat(readyz.statusCode()).isEqualTo(503);
    }
}
