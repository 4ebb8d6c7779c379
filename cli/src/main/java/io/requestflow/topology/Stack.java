package io.requestflow.topology;

import io.requestflow.balancer.BalancerConfig;
import io.requestflow.balancer.BalancerHop;
import io.requestflow.data.DataTier;
import io.requestflow.data.EmbeddedKafkaServer;
import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.hop.HttpHop;
import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.HostPort;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
    // what scaling gateways needs: how to start one, where services are, the balancer's target group
    private Roles roles;
    private Topology topology;
    private Map<String, HostPort> services;
    private BalancerHop balancerPolicy;
    private final List<String> gateways = new ArrayList<>();
    private DataFaults dataFaults;
    private int gatewaysStarted;
    private QueueHop queue;
    private io.requestflow.console.ConsoleServer console;
    private WanLinks wanLinks;

    private Stack(Engine engine) {
        this.engine = engine;
    }

    /** Starts everything; {@code progress} hears one line per step. */
    public static Stack start(Topology t, Path dataDir, Consumer<String> progress) {
        Stack stack = new Stack(new Engine(0, 20_000, t.tracing.sampleRatio));
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
        this.roles = roles;
        this.topology = t;
        String bind = t.bind;
        progress.accept("starting PostgreSQL and Redis" + (t.queue.enabled && t.data.kafka.usesEmbedded() ? " and Kafka" : "")
                + " (data in " + dataDir + ")…");
        // Kafka's own JVM starts while PostgreSQL does
        CompletableFuture<EmbeddedKafkaServer> kafka = t.queue.enabled && t.data.kafka.usesEmbedded()
                ? CompletableFuture.supplyAsync(() -> EmbeddedKafkaServer.start(dataDir, t.data.kafka))
                : CompletableFuture.completedFuture(null);
        running.push(() -> { // stopped last, and also when something else fails to start
            try {
                EmbeddedKafkaServer broker = kafka.join();
                if (broker != null) broker.close();
            } catch (RuntimeException failedToStart) {
                // nothing runs
            }
        });
        data = DataTier.start(dataDir, t.data.postgres, t.data.replicas, t.data.redis, t.catalogProducts);
        running.push(data);
        endpoints.add(new Endpoint("postgres", "primary", data.jdbc().url(), "-"));
        for (int i = 0; i < data.replicas().size(); i++) {
            endpoints.add(new Endpoint("postgres", "replica-" + (i + 1), data.replicas().get(i).url(), "-"));
        }
        endpoints.add(new Endpoint("redis", "cache", data.redisUrl(), "-"));
        DataEndpoints endpointsForServices = new DataEndpoints(data.jdbc(), data.redisUrl(), data.replicas(), true);
        dataFaults = new DataFaults(data, engine.blocking());
        running.push(dataFaults);

        progress.accept("starting services…");
        HttpHop auth = track("auth", roles.auth("auth-1", hp(bind, t.services.auth.port),
                hp(bind, t.services.auth.adminPortOrDefault()), endpointsForServices));
        HttpHop catalog = track("catalog", roles.catalog("catalog-1", hp(bind, t.services.catalog.port),
                hp(bind, t.services.catalog.adminPortOrDefault()), endpointsForServices));
        Topology.Services sv = t.services;
        HttpHop inventory = track("inventory", roles.inventory("inventory-1", hp(bind, sv.inventory.port),
                hp(bind, sv.inventory.adminPortOrDefault()), endpointsForServices));
        HttpHop reviews = track("reviews", roles.reviews("reviews-1", hp(bind, sv.reviews.port),
                hp(bind, sv.reviews.adminPortOrDefault()), endpointsForServices));
        HttpHop recommendations = track("recommendations", roles.recommendations("recommendations-1",
                hp(bind, sv.recommendations.port), hp(bind, sv.recommendations.adminPortOrDefault()), endpointsForServices));
        HttpHop orders = track("orders", roles.orders("orders-1", hp(bind, sv.orders.port),
                hp(bind, sv.orders.adminPortOrDefault()), endpointsForServices));
        Map<String, HostPort> services = new LinkedHashMap<>();
        services.put("auth", HostPort.of(auth.address()));
        services.put("catalog", HostPort.of(catalog.address()));
        services.put("inventory", HostPort.of(inventory.address()));
        services.put("reviews", HostPort.of(reviews.address()));
        services.put("recommendations", HostPort.of(recommendations.address()));
        services.put("orders", HostPort.of(orders.address()));
        if (t.queue.enabled) startQueue(t, dataDir, kafka, endpointsForServices);
        HttpHop page = track("page", roles.page("page-1", hp(bind, sv.page.port), hp(bind, sv.page.adminPortOrDefault()),
                services));
        services.put("page", HostPort.of(page.address()));
        this.services = services;

        progress.accept("starting " + t.gateway.instances + " gateway instances…");
        List<BalancerConfig.Target> targets = new ArrayList<>();
        for (int i = 0; i < t.gateway.instances; i++) targets.add(startGateway());

        progress.accept("starting balancer, firewall, edge…");
        Roles.Balancer started = roles.balancer("balancer-1", hp(bind, t.balancer.port),
                hp(bind, t.balancer.adminPortOrDefault()), targets,
                Map.of("/scale", this::scaleRoute, "/data", dataFaults::route));
        balancerPolicy = started.policy();
        HttpHop balancer = track("balancer", started.hop());
        HttpHop firewall = track("firewall", roles.firewall("firewall-1", hp(bind, t.firewall.port),
                hp(bind, t.firewall.adminPortOrDefault()), HostPort.of(balancer.address()), data.redisUrl()));
        // with the WAN links on, the edge's ports belong to its client link and the edge listens behind it
        boolean wan = t.wan.enabled;
        WanDelays delays = wan ? new WanDelays(t.dns, t.wan.edgeRegion, t.wan.originRegion) : null;
        // the links join the stop list after the edges, so they stop first: no new client reaches a stopping edge
        if (wan) wanLinks = new WanLinks(engine.group(), t.wan);
        List<NearestEdge.Edge> edges;
        try {
            edges = startEdges(t, delays, firewall);
        } catch (RuntimeException e) {
            if (wanLinks != null) wanLinks.close();
            throw e;
        }
        if (wan) running.push(wanLinks);

        progress.accept("starting dns…");
        dns = edges.size() < 2 ? roles.dns("dns-1", t.dns, hp(bind, t.dnsAdminPort))
                : roles.dns("dns-1", t.dns, hp(bind, t.dnsAdminPort),
                        zone -> NearestEdge.steer(zone, t.edge.hosts.getFirst(), edges));
        running.push(dns);
        endpoints.add(0, new Endpoint("dns", "dns-1", "udp+tcp " + HostPort.of(dns.server().address()),
                HostPort.of(dns.admin().address()).toString()));
        waitUntilReady(balancer, progress);
        if (t.console.enabled) {
            console = io.requestflow.console.ConsoleServer.start(engine, bind, new Directory(), t.console.settings());
            running.push(console);
            endpoints.add(new Endpoint("console", "console", "http://" + HostPort.of(console.address()), "-"));
        }
    }

    /**
     * The edge (behind its client link when {@code wan.enabled}), and with the WAN links on the edges per
     * region; returns every edge for the DNS answer when there are several.
     */
    private List<NearestEdge.Edge> startEdges(Topology t, WanDelays delays, HttpHop firewall) {
        boolean wan = wanLinks != null;
        HostPort origin = wan ? wanLinks.origin(delays, firewall.address(), t.bind) : HostPort.of(firewall.address());
        HostPort edgeTls = t.edge.tlsPort == null ? null : hp(t.bind, wan ? 0 : t.edge.tlsPort);
        Roles.Edge first = roles.startEdge("edge-1", hp(t.bind, wan ? 0 : t.edge.port), edgeTls,
                hp(t.bind, t.edge.adminPortOrDefault()), origin);
        HttpHop edge = track("edge", first.hop());
        if (edge.tlsAddress() != null) {
            endpoints.add(new Endpoint("edge", "edge-1 https", HostPort.of(edge.tlsAddress()).toString(),
                    HostPort.of(edge.adminAddress()).toString()));
        }
        List<NearestEdge.Edge> edges = new ArrayList<>();
        if (wan) {
            wanLinks.frontDoor(delays, hp(t.bind, t.edge.port), t.edge.tlsPort == null ? null : hp(t.bind, t.edge.tlsPort),
                    edge.address(), edge.tlsAddress());
            edges.add(new NearestEdge.Edge("edge-1", delays.edgeRegion(), null)); // at the name's own record
            List<Roles.Edge> started = new ArrayList<>(List.of(first));
            for (Topology.RegionalEdge regional : t.wan.edges) {
                edges.add(startRegionalEdge(t, regional, delays.originRegion(), firewall, started));
            }
            purgesReachEachOther(started);
            endpoints.addAll(wanLinks.endpoints());
        }
        return edges;
    }

    /**
     * One more edge ({@code wan.edges}): its own cache in its region, the front door's ports at its own
     * address behind a client link, and an origin link when the origin stands elsewhere.
     */
    private NearestEdge.Edge startRegionalEdge(Topology t, Topology.RegionalEdge regional, String originRegion,
                                               HttpHop firewall, List<Roles.Edge> started) {
        java.net.InetAddress ip = io.requestflow.cli.get.DnsLookup.loopback(regional.address()).orElseThrow(() -> new IllegalArgumentException(
                        "wan.edges: the edge in " + regional.region() + " needs a loopback address such as 127.0.11.1,"
                                + " got '" + regional.address() + "'"));
        WanDelays delays = new WanDelays(t.dns, regional.region(), originRegion);
        String name = "edge-" + delays.edgeRegion();
        if (hops.containsKey(name)) throw new IllegalArgumentException("wan.edges: two edges in " + delays.edgeRegion());
        HostPort origin = wanLinks.origin(delays, firewall.address(), t.bind);
        Roles.Edge role = roles.startEdge(name, hp(t.bind, 0), t.edge.tlsPort == null ? null : hp(t.bind, 0),
                hp(t.bind, 0), origin);
        started.add(role);
        HttpHop edge = track(name, role.hop());
        wanLinks.regional(name, ip, delays, edge.address(), edge.tlsAddress());
        return new NearestEdge.Edge(name, delays.edgeRegion(), ip.getHostAddress());
    }

    /**
     * A purge or ban at any of these edges reaches the others too (besides {@code edge.cache.peers}): their
     * admin ports are known only once they all listen.
     */
    private static void purgesReachEachOther(List<Roles.Edge> edges) {
        for (Roles.Edge e : edges) {
            List<HostPort> others = new ArrayList<>();
            for (Roles.Edge o : edges) if (o != e) others.add(HostPort.of(o.hop().adminAddress()));
            e.policy().addPurgePeers(others);
        }
    }

    /** Where clients reach the edge over HTTP: the WAN link when it is on, else the edge itself. */
    public InetSocketAddress frontDoor() {
        return wanLinks != null ? wanLinks.frontDoor() : hop("edge").address();
    }

    /** Where clients reach the edge over HTTPS (null when it has none): the WAN link when it is on. */
    public InetSocketAddress frontDoorTls() {
        return wanLinks != null ? wanLinks.frontDoorTls() : hop("edge").tlsAddress();
    }

    /** Kafka (embedded unless data.kafka.url names one) and the queue role that relays the outbox to it. */
    private void startQueue(Topology t, Path dataDir, CompletableFuture<EmbeddedKafkaServer> embedded, DataEndpoints data) {
        EmbeddedKafkaServer broker;
        try {
            broker = embedded.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
        String bootstrap = broker != null ? broker.bootstrap() : t.data.kafka.url();
        if (broker != null) {
            // from here on the handle owns the broker (./flow break kafka may stop and start it)
            var samePort = new io.requestflow.data.KafkaConfig(null, broker.port(), t.data.kafka.heapMb());
            var handle = new io.requestflow.data.Restartable(broker, () -> EmbeddedKafkaServer.start(dataDir, samePort));
            running.push(handle);
            dataFaults.register("kafka", handle);
            endpoints.add(new Endpoint("kafka", "broker", bootstrap, "-"));
        }
        QueueHop queue = roles.queue("queue-1", hp(t.bind, t.queue.adminPort), data, bootstrap);
        this.queue = queue;
        running.push(queue);
        endpoints.add(new Endpoint("queue", "queue-1", "kafka " + bootstrap + " topic " + t.queue.topic,
                HostPort.of(queue.admin().address()).toString()));
    }

    /** Starts the next gateway instance (gateway-N on port + N - 1) and returns it as a balancer target. */
    private BalancerConfig.Target startGateway() {
        int i = gatewaysStarted++;
        Topology t = topology;
        int port = t.gateway.port == 0 ? 0 : t.gateway.port + i;
        int admin = t.gateway.adminPortOrDefault() == 0 ? 0 : t.gateway.adminPortOrDefault() + i;
        String name = "gateway-" + (i + 1);
        HttpHop gw = track(name, roles.gateway(name, hp(t.bind, port), hp(t.bind, admin), services, data.redisUrl()));
        gateways.add(name);
        return new BalancerConfig.Target(name, HostPort.of(gw.address()).toString(),
                "http://" + HostPort.of(gw.adminAddress()) + "/readyz");
    }

    /**
     * Changes the number of running gateway instances: new ones start and register with the balancer
     * (taking traffic once healthy); surplus ones, newest first, are deregistered, drain, then stop.
     *
     * @return the names started (+) and stopped (-)
     */
    public synchronized List<String> scaleGateways(int instances) {
        if (instances < 1 || instances > 64) {
            throw new IllegalArgumentException("gateway instances must be between 1 and 64, got " + instances);
        }
        List<String> changes = new ArrayList<>();
        while (gateways.size() < instances) {
            BalancerConfig.Target target = startGateway();
            balancerPolicy.targets().register(target);
            changes.add("+" + target.name());
        }
        while (gateways.size() > instances) {
            String name = gateways.removeLast();
            changes.add("-" + name);
            // stop it once the balancer has drained it (unless something else stopped it meanwhile)
            balancerPolicy.targets().deregister(name).whenCompleteAsync((left, error) -> {
                synchronized (this) {
                    if (hops.containsKey(name)) stop(name);
                }
            }, engine.blocking());
        }
        return changes;
    }

    /** {@code POST /scale?role=gateway&instances=N} on the balancer's admin port (what {@code ./flow scale} calls). */
    private CompletableFuture<Response> scaleRoute(Request request) {
        if (!request.method().equals("POST")) {
            return CompletableFuture.completedFuture(Problem.of(405, "Method Not Allowed",
                    "POST /scale?role=gateway&instances=N"));
        }
        if (!"gateway".equals(request.query("role"))) {
            return CompletableFuture.completedFuture(
                    Problem.badRequest("only role=gateway can be scaled in this process"));
        }
        int wanted;
        try {
            wanted = Integer.parseInt(String.valueOf(request.query("instances")));
        } catch (NumberFormatException e) {
            return CompletableFuture.completedFuture(Problem.badRequest("instances must be a number"));
        }
        // starting a hop binds sockets and waits: not on the admin server's event loop
        return CompletableFuture.supplyAsync(() -> {
            try {
                List<String> changes = scaleGateways(wanted);
                return Response.json(200, Map.of("role", "gateway", "instances", gateways.size(),
                        "changes", changes, "running", List.copyOf(gateways)));
            } catch (IllegalArgumentException e) {
                return Problem.badRequest(e.getMessage());
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(Stack.class).warn("scaling gateways failed", e);
                return Problem.internal("scaling failed: " + e.getMessage());
            }
        }, engine.blocking());
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
    public synchronized HttpHop hop(String name) {
        HttpHop hop = hops.get(name);
        if (hop == null) throw new IllegalArgumentException("no hop named " + name + "; running: " + hops.keySet());
        return hop;
    }

    public DnsHop dns() {
        return dns;
    }

    /** The console, or null when {@code console.enabled} is false. */
    public io.requestflow.console.ConsoleServer console() {
        return console;
    }

    /** What the console reads of this process: live instances (scaled gateways too), by their admin ports. */
    private final class Directory implements io.requestflow.console.PathDirectory {
        private static final List<String> PATH_ORDER = List.of("edge", "firewall", "balancer", "gateway", "auth",
                "catalog", "inventory", "reviews", "recommendations", "orders", "page");

        @Override
        public List<Instance> instances() {
            List<Instance> all = new ArrayList<>();
            all.add(new Instance(dns.context().instance(), "dns", HostPort.of(dns.admin().address()), true));
            List<HttpHop> live;
            synchronized (Stack.this) {
                live = new ArrayList<>(hops.values());
            }
            live.sort(java.util.Comparator.comparingInt((HttpHop h) -> order(h.context().hop()))
                    .thenComparing(h -> h.context().instance(), java.util.Comparator.comparingInt(String::length)
                            .thenComparing(java.util.Comparator.naturalOrder())));
            for (HttpHop h : live) {
                all.add(new Instance(h.context().instance(), h.context().hop(), HostPort.of(h.adminAddress()), true));
            }
            if (queue != null) all.add(new Instance(queue.context().instance(), "queue", HostPort.of(queue.admin().address()), false));
            return all;
        }

        private static int order(String role) {
            int i = PATH_ORDER.indexOf(role);
            return i < 0 ? PATH_ORDER.size() : i;
        }

        @Override
        public HostPort dataAdmin() {
            return HostPort.of(hop("balancer").adminAddress());
        }

        @Override
        public HostPort balancerAdmin() {
            return HostPort.of(hop("balancer").adminAddress());
        }

        @Override
        public String edgeAuthority() {
            return topology.edge.hosts.getFirst() + ":" + frontDoor().getPort();
        }

        @Override
        public InetSocketAddress dns() {
            return dns.server().address();
        }
    }

    public DataTier data() {
        return data;
    }

    public Engine engine() {
        return engine;
    }

    /** Stops one hop on purpose (fault injection, tests); the rest keep running. */
    public synchronized void stop(String name) {
        HttpHop hop = hop(name);
        gateways.remove(name);
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
