package io.requestflow.topology;

import io.requestflow.balancer.BalancerConfig;
import io.requestflow.data.DataTier;
import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.hop.HttpHop;
import io.requestflow.engine.net.HostPort;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The whole topology running in one process, started back to front (data, services, gateways,
 * balancer, firewall, edge, dns) so each hop knows the real address of the next one, and stopped
 * front to back so traffic stops entering before what serves it goes away.
 */
public final class Stack implements AutoCloseable {

    /** One listening thing, for the table {@code up} prints. */
    public record Endpoint(String role, String instance, String address, String admin) {}

    private final Engine engine;
    private final Deque<AutoCloseable> running = new ArrayDeque<>();
    private final List<Endpoint> endpoints = new ArrayList<>();
    private final Map<String, HttpHop> hops = new LinkedHashMap<>();
    private DataTier data;
    private DnsHop dns;

    private Stack(Engine engine) {
        this.engine = engine;
    }

    /** Starts everything; {@code progress} hears one line per step. */
    public static Stack start(Topology t, Path dataDir, Consumer<String> progress) {
        Stack stack = new Stack(new Engine(0, 20_000));
        try {
            stack.startAll(t, dataDir, progress);
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void startAll(Topology t, Path dataDir, Consumer<String> progress) {
        Roles roles = new Roles(engine, t, dataDir);
        String bind = t.bind;
        progress.accept("starting PostgreSQL and Redis (data in " + dataDir + ")…");
        data = DataTier.start(dataDir, t.data.postgres, t.data.redis, t.catalogProducts);
        running.push(data);
        endpoints.add(new Endpoint("postgres", "primary", data.jdbc().url(), "-"));
        endpoints.add(new Endpoint("redis", "cache", data.redisUrl(), "-"));
        DataEndpoints endpointsForServices = new DataEndpoints(data.jdbc(), data.redisUrl());

        progress.accept("starting services…");
        HttpHop auth = track("auth", roles.auth("auth-1", hp(bind, t.services.auth.port),
                hp(bind, t.services.auth.adminPortOrDefault()), endpointsForServices));
        HttpHop catalog = track("catalog", roles.catalog("catalog-1", hp(bind, t.services.catalog.port),
                hp(bind, t.services.catalog.adminPortOrDefault()), endpointsForServices));
        Map<String, HostPort> services = Map.of("auth", HostPort.of(auth.address()),
                "catalog", HostPort.of(catalog.address()));

        progress.accept("starting " + t.gateway.instances + " gateway instances…");
        List<BalancerConfig.Target> targets = new ArrayList<>();
        for (int i = 0; i < t.gateway.instances; i++) {
            int port = t.gateway.port == 0 ? 0 : t.gateway.port + i;
            int admin = t.gateway.adminPortOrDefault() == 0 ? 0 : t.gateway.adminPortOrDefault() + i;
            String name = "gateway-" + (i + 1);
            HttpHop gw = track(name, roles.gateway(name, hp(bind, port), hp(bind, admin), services,
                    data.redisUrl()));
            targets.add(new BalancerConfig.Target(name, HostPort.of(gw.address()).toString(),
                    "http://" + HostPort.of(gw.adminAddress()) + "/readyz"));
        }

        progress.accept("starting balancer, firewall, edge…");
        HttpHop balancer = track("balancer", roles.balancer("balancer-1", hp(bind, t.balancer.port),
                hp(bind, t.balancer.adminPortOrDefault()), targets));
        HttpHop firewall = track("firewall", roles.firewall("firewall-1", hp(bind, t.firewall.port),
                hp(bind, t.firewall.adminPortOrDefault()), HostPort.of(balancer.address())));
        HttpHop edge = track("edge", roles.edge("edge-1", hp(bind, t.edge.port), hp(bind, t.edge.adminPortOrDefault()),
                HostPort.of(firewall.address())));

        progress.accept("starting dns…");
        dns = roles.dns("dns-1", t.dns, hp(bind, t.dnsAdminPort));
        running.push(dns);
        endpoints.add(0, new Endpoint("dns", "dns-1", "udp+tcp " + HostPort.of(dns.server().address()),
                HostPort.of(dns.admin().address()).toString()));
        waitUntilReady(balancer, progress);
    }

    private HttpHop track(String name, HttpHop hop) {
        running.push(hop);
        hops.put(name, hop);
        endpoints.add(new Endpoint(hop.context().hop(), hop.context().instance(), HostPort.of(hop.address()).toString(),
                HostPort.of(hop.adminAddress()).toString()));
        return hop;
    }

    private static void waitUntilReady(HttpHop balancer, Consumer<String> progress) {
        long deadline = System.nanoTime() + 15_000_000_000L;
        var admin = balancer.adminAddress();
        while (System.nanoTime() < deadline) {
            if (ready(admin)) return;
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        progress.accept("warning: the balancer has no healthy gateway yet; requests may get 503 until one passes");
    }

    private static boolean ready(InetSocketAddress admin) {
        try (var socket = new java.net.Socket()) {
            socket.connect(admin, 500);
            socket.setSoTimeout(1000);
            socket.getOutputStream().write(("GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes());
            byte[] head = socket.getInputStream().readNBytes(12);
            return new String(head).startsWith("HTTP/1.1 200");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static HostPort hp(String host, int port) {
        return new HostPort(host, port);
    }

    public List<Endpoint> endpoints() {
        return endpoints;
    }

    /** A started HTTP hop by name: edge, firewall, balancer, gateway-1…, auth, catalog. */
    public HttpHop hop(String name) {
        HttpHop hop = hops.get(name);
        if (hop == null) throw new IllegalArgumentException("no hop named " + name + "; running: " + hops.keySet());
        return hop;
    }

    public DnsHop dns() {
        return dns;
    }

    public DataTier data() {
        return data;
    }

    public Engine engine() {
        return engine;
    }

    /** Stops one hop on purpose (fault injection, tests); the rest keep running. */
    public void stop(String name) {
        HttpHop hop = hop(name);
        running.remove(hop);
        hops.remove(name);
        hop.close();
    }

    @Override
    public void close() {
        while (!running.isEmpty()) {
            try {
                running.pop().close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(Stack.class).warn("error while stopping", e);
            }
        }
        engine.close();
    }
}
