package io.requestflow.topology;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.requestflow.balancer.Instance;
import io.requestflow.dns.DnsServer;
import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.server.HttpServer;
import io.requestflow.engine.server.ServerConfig;
import io.requestflow.engine.testing.Http;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code balancer.discovery} over real sockets: the project's DNS server answers a name with loopback
 * addresses (127.0.0.2, .3, .4 all reach this machine), backends listen on one port at each, and the
 * balancer's target group follows the name as its records change, the way it follows a Kubernetes
 * headless Service.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BalancerDiscoveryTest {
    @TempDir
    Path dir;

    @Test
    void theTargetGroupFollowsTheNameAndKeepsItsTargetsWhenTheLookupFails() throws Exception {
        int port = portFreeOn("127.0.0.2", "127.0.0.3", "127.0.0.4");
        try (Engine engine = new Engine(1, 100, 1.0)) {
            List<HttpServer> backends = new ArrayList<>();
            for (String ip : List.of("127.0.0.2", "127.0.0.3", "127.0.0.4")) {
                // answers every path with its own address, /readyz (the health check) included
                backends.add(HttpServer.start("backend-" + ip, new HostPort(ip, port), ServerConfig.defaults(),
                        engine.group(), request -> CompletableFuture.completedFuture(Response.text(200, ip))));
            }
            Topology t = load("""
                    dns: {host: 127.0.0.1, port: 0, ttlSeconds: 1, records: {gateways: [127.0.0.2, 127.0.0.3]}}
                    """);
            DnsServer dns = DnsServer.start(t.dns, new SimpleMeterRegistry(), engine.group());
            try {
                Topology balancing = load("""
                        balancer:
                          healthCheck: {intervalMs: 200, timeoutMs: 500, healthyThreshold: 1, unhealthyThreshold: 1}
                          slowStartMs: 0
                          discovery: {name: gateways.requestflow.test, port: %d, healthPort: %d, healthPath: /readyz,
                                      resolver: "127.0.0.1:%d", intervalMs: 200}
                        """.formatted(port, port, dns.address().getPort()));
                Roles.Balancer balancer = new Roles(engine, balancing, dir).balancer("balancer-1",
                        new HostPort("127.0.0.1", 0), new HostPort("127.0.0.1", 0), List.of(), Map.of());
                try {
                    String url = "http://" + HostPort.of(balancer.hop().address()) + "/";
                    await(() -> healthy(balancer).equals(Set.of("127.0.0.2:" + port, "127.0.0.3:" + port)));
                    assertThat(answers(url, 20)).containsExactlyInAnyOrder("127.0.0.2", "127.0.0.3");

                    // the name now points elsewhere: .4 joins, .2 drains and leaves
                    dns.reload(load("""
                            dns: {host: 127.0.0.1, port: 0, ttlSeconds: 1, records: {gateways: [127.0.0.3, 127.0.0.4]}}
                            """).dns);
                    await(() -> names(balancer).equals(Set.of("127.0.0.3:" + port, "127.0.0.4:" + port))
                            && healthy(balancer).size() == 2);
                    assertThat(answers(url, 20)).containsExactlyInAnyOrder("127.0.0.3", "127.0.0.4");

                    // the name stops resolving (NXDOMAIN): a DNS failure must not empty the balancer
                    dns.reload(load("""
                            dns: {host: 127.0.0.1, port: 0, ttlSeconds: 1, records: {shop: [127.0.0.1]}}
                            """).dns);
                    double failures = failures(balancer);
                    await(() -> failures(balancer) >= failures + 3);
                    assertThat(names(balancer)).containsExactlyInAnyOrder("127.0.0.3:" + port, "127.0.0.4:" + port);
                    assertThat(answers(url, 10)).containsExactlyInAnyOrder("127.0.0.3", "127.0.0.4");
                } finally {
                    balancer.hop().close();
                }
            } finally {
                dns.close();
                backends.forEach(HttpServer::close);
            }
        }
    }

    private Topology load(String yaml) throws Exception {
        Path file = Files.createTempFile(dir, "topology", ".yaml");
        Files.writeString(file, yaml);
        return TopologyLoader.load(file, true).ephemeral();
    }

    private static Set<String> names(Roles.Balancer balancer) {
        Set<String> names = new HashSet<>();
        for (Instance i : balancer.policy().instances()) names.add(i.name());
        return names;
    }

    private static Set<String> healthy(Roles.Balancer balancer) {
        Set<String> names = new HashSet<>();
        for (Instance i : balancer.policy().instances()) if (i.healthy() && !i.draining()) names.add(i.name());
        return names;
    }

    private static double failures(Roles.Balancer balancer) {
        var counter = balancer.hop().context().registry().find("requestflow.balancer.discovery.failures").counter();
        return counter == null ? 0 : counter.count();
    }

    /** The distinct backends that answered {@code n} requests. */
    private static Set<String> answers(String url, int n) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < n; i++) {
            var response = Http.get(url);
            assertThat(response.statusCode()).isEqualTo(200);
            seen.add(response.body());
        }
        return seen;
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition met within 15 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** A port free on every one of these loopback addresses. */
    private static int portFreeOn(String... ips) throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port;
            try (ServerSocket first = new ServerSocket()) {
                first.bind(new InetSocketAddress(ips[0], 0));
                port = first.getLocalPort();
            }
            boolean free = true;
            for (String ip : ips) {
                try (ServerSocket s = new ServerSocket()) {
                    s.bind(new InetSocketAddress(ip, port));
                } catch (java.io.IOException taken) {
                    free = false;
                }
            }
            if (free) return port;
        }
        throw new IllegalStateException("no port free on all of " + String.join(", ", ips));
    }
}
