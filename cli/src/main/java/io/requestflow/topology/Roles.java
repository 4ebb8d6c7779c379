package io.requestflow.topology;

import io.requestflow.balancer.BalancerConfig;
import io.requestflow.balancer.BalancerHop;
import io.requestflow.data.Database;
import io.requestflow.dns.DnsConfig;
import io.requestflow.dns.DnsServer;
import io.requestflow.edge.EdgeHop;
import io.requestflow.engine.admin.AdminServer;
import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.hop.HopContext;
import io.requestflow.engine.hop.HttpHop;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.engine.server.RequestHandler;
import io.requestflow.engine.tls.CertificateFiles;
import io.requestflow.engine.tls.LocalCa;
import io.requestflow.engine.tls.ServerTls;
import io.requestflow.engine.http.Request;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.requestflow.engine.proxy.Forwarder;
import io.requestflow.firewall.FirewallHop;
import io.requestflow.gateway.GatewayConfig;
import io.requestflow.gateway.GatewayHop;
import io.requestflow.services.RedisCache;
import io.requestflow.services.Sql;
import io.requestflow.services.auth.AuthRedis;
import io.requestflow.services.auth.AuthService;
import io.requestflow.services.auth.SigningKeys;
import io.requestflow.services.catalog.CatalogService;
import io.requestflow.services.BackgroundWork;
import io.requestflow.services.ReadRouter;
import io.requestflow.services.ReplicaRouter;
import io.requestflow.services.SharedWritePositions;
import io.requestflow.services.cache.CacheAside;
import io.requestflow.services.inventory.InventoryService;
import io.requestflow.services.orders.OrdersService;
import io.requestflow.services.page.PageConfig;
import io.requestflow.services.page.PageService;
import io.requestflow.services.page.Part;
import io.requestflow.services.recommendations.CoOccurrence;
import io.requestflow.services.recommendations.RecommendationsService;
import io.requestflow.services.reviews.ReviewsService;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How each role starts, the same for {@code up} (all roles in one process) and {@code serve} (one
 * role per process): build the hop's stages from its config, then start it on its addresses.
 */
public final class Roles {
    public static final List<String> NAMES = List.of("dns", "edge", "firewall", "balancer", "gateway", "auth",
            "catalog", "inventory", "reviews", "recommendations", "page", "orders", "queue", "data", "console");

    private final Engine engine;
    private final Topology topology;
    private final Path dataDir;

    public Roles(Engine engine, Topology topology, Path dataDir) {
        this.engine = engine;
        this.topology = topology;
        this.dataDir = dataDir;
    }

    private HttpHop.Spec spec(HostPort listen, HostPort admin) {
        return new HttpHop.Spec(listen, admin, topology.server, topology.requestTimeoutMs);
    }

    public HttpHop edge(String instance, HostPort listen, HostPort admin, HostPort firewall) {
        return edge(instance, listen, null, admin, firewall);
    }

    /**
     * The edge; {@code tlsListen} (may be null) adds HTTPS with the certificate files of {@code edge.tlsCertificate}
     * and {@code edge.tlsKey} (absolute paths), else one from the local CA.
     */
    public HttpHop edge(String instance, HostPort listen, HostPort tlsListen, HostPort admin, HostPort firewall) {
        return startEdge(instance, listen, tlsListen, admin, firewall).hop();
    }

    /** A started edge and its policy, for wiring that needs both (purges reaching the edges started beside it). */
    public record Edge(HttpHop hop, EdgeHop policy) {}

    /** {@link #edge(String, HostPort, HostPort, HostPort, HostPort)}, keeping the policy at hand. */
    public Edge startEdge(String instance, HostPort listen, HostPort tlsListen, HostPort admin, HostPort firewall) {
        HopContext ctx = engine.hop("edge", instance);
        var upstreamClient = ctx.client(topology.client);
        EdgeHop edge = new EdgeHop(topology.edge.config(), new Forwarder(upstreamClient), firewall, ctx.registry(),
                upstreamClient);
        HttpHop hop = start(ctx, listen, admin, edge.stages(), AdminServer.Readiness.always(), edge.adminRoutes());
        if (tlsListen == null) return new Edge(hop, edge);
        try {
            Topology.Edge e = topology.edge;
            if (e.tlsCertificate != null) {
                return new Edge(hop.withTls(tlsListen, new CertificateFiles(Path.of(e.tlsCertificate), Path.of(e.tlsKey),
                        CertificateFiles.RECHECK)), edge);
            }
            return new Edge(hop.withTls(tlsListen, ServerTls.context(localCa().issue(certificateNames()))), edge);
        } catch (RuntimeException e) {
            hop.close();
            throw e;
        }
    }

    /** The deployment's CA, created on first use under the data directory. */
    public LocalCa localCa() {
        return LocalCa.loadOrCreate(dataDir.resolve("ca"));
    }

    /** What the edge certificate names: the whole test zone, plus every host the edge serves. */
    private List<String> certificateNames() {
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
        names.add("*." + topology.dns.zone());
        names.add(topology.dns.zone());
        names.addAll(topology.edge.hosts);
        return List.copyOf(names);
    }

    public HttpHop firewall(String instance, HostPort listen, HostPort admin, HostPort balancer) {
        return firewall(instance, listen, admin, balancer, null);
    }

    /** A firewall instance; {@code redisUrl} shares its rate limit with the other instances (null: local only). */
    public HttpHop firewall(String instance, HostPort listen, HostPort admin, HostPort balancer, String redisUrl) {
        HopContext ctx = engine.hop("firewall", instance);
        try {
            FirewallHop firewall = ctx.own(new FirewallHop(topology.firewall.config(), dataDir, redisUrl));
            var stages = firewall.stages(new Forwarder(ctx.client(topology.client)), balancer);
            return HttpHop.start(ctx, spec(listen, admin), stages, AdminServer.Readiness.always(), Map.of(),
                    firewall.rawInspector());
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    public HttpHop balancer(String instance, HostPort listen, HostPort admin, List<BalancerConfig.Target> targets) {
        return balancer(instance, listen, admin, targets, Map.of()).hop();
    }

    /** A started balancer and its policy (whose target group changes at run time). */
    public record Balancer(HttpHop hop, BalancerHop policy) {}

    /** A balancer whose admin port also serves {@code extraAdmin} (the {@code up} process adds /scale). */
    public Balancer balancer(String instance, HostPort listen, HostPort admin, List<BalancerConfig.Target> targets,
                             Map<String, RequestHandler> extraAdmin) {
        HopContext ctx = engine.hop("balancer", instance);
        BalancerHop balancer;
        try {
            balancer = new BalancerHop(new BalancerConfig(targets, topology.balancer.healthCheck,
                    topology.balancer.policy()), ctx, topology.client);
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
        Map<String, RequestHandler> routes = new java.util.HashMap<>(balancer.adminRoutes());
        routes.putAll(extraAdmin);
        HttpHop hop = start(ctx, listen, admin, balancer.stages(), balancer::notReadyReason, routes);
        balancer.startHealthChecks();
        if (topology.balancer.discovery != null) balancer.startDiscovery(topology.balancer.discovery, ctx);
        return new Balancer(hop, balancer);
    }

    /**
     * A gateway instance; {@code services} maps service name to its address; {@code redisUrl} (null = none)
     * holds the shared buckets, quotas and token deny list.
     */
    public HttpHop gateway(String instance, HostPort listen, HostPort admin, Map<String, HostPort> services,
                           String redisUrl) {
        HopContext ctx = engine.hop("gateway", instance);
        List<GatewayConfig.Route> routes = topology.gateway.routes.stream().map(r -> {
            HostPort upstream = services.get(r.service);
            if (upstream == null) {
                throw new IllegalArgumentException("gateway route " + r.prefix + " names service '" + r.service
                        + "', which has no address; known: " + services.keySet());
            }
            return new GatewayConfig.Route(r.prefix, r.service, upstream.toString(), r.auth, r.scopes, r.timeoutMs,
                    r.methods, r.host, r.headers, r.rewrite, r.throttle, r.maxBodyBytes, r.contentTypes);
        }).toList();
        HostPort auth = services.get("auth");
        String jwksUrl = "http://" + auth + "/.well-known/jwks.json";
        Topology.Gateway g = topology.gateway;
        GatewayConfig config = new GatewayConfig(routes, g.jwt(jwksUrl), g.plans,
                g.redis(redisUrl, topology.data.redis.timeoutMs()),
                new GatewayConfig.ApiKeys("http://" + auth + "/internal/apikeys", g.apiKeyCacheSeconds, g.apiKeyLookupTimeoutMs),
                g.cors());
        var stages = GatewayHop.stages(config, ctx, topology.client);
        return start(ctx, listen, admin, stages, AdminServer.Readiness.always(), Map.of());
    }

    public HttpHop auth(String instance, HostPort listen, HostPort admin, DataEndpoints data) {
        HopContext ctx = engine.hop("auth", instance);
        try {
            Database db = ctx.own(primary(data, instance));
            Sql sql = new Sql(db.dataSource());
            AuthRedis redis = ctx.own(new AuthRedis(data.redisUrl(), Duration.ofMillis(topology.data.redis.timeoutMs())));
            SigningKeys keys = ctx.own(SigningKeys.open(db.dataSource(), legacySigningKeysFile(), SigningKeys.REFRESH_INTERVAL));
            AuthService auth = ctx.own(new AuthService(topology.authConfig(), sql, keys, redis));
            auth.seedDemoUser(startupExchange(ctx));
            Map<String, RequestHandler> adminRoutes = new java.util.LinkedHashMap<>();
            for (String path : AuthService.ADMIN_PATHS) {
                adminRoutes.put(path, request -> java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> auth.adminAction(adminExchange(ctx, request)), engine.blocking()));
            }
            long repairEvery = topology.services.auth.denyListRepairSeconds;
            if (repairEvery > 0) {
                var timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                        Thread.ofPlatform().daemon().name(instance + "-denylist-repair").factory());
                ctx.own(() -> timer.shutdownNow());
                timer.scheduleWithFixedDelay(() -> {
                    try {
                        auth.repairDenyList(startupExchange(ctx));
                    } catch (RuntimeException e) {
                        org.slf4j.LoggerFactory.getLogger(Roles.class).debug("deny-list repair skipped: {}", e.getMessage());
                    }
                }, repairEvery, repairEvery, java.util.concurrent.TimeUnit.SECONDS);
            }
            return start(ctx, listen, admin, auth.stages(engine.blocking()),
                    () -> sql.reachable(1) ? null : "database unreachable", adminRoutes);
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    public HttpHop catalog(String instance, HostPort listen, HostPort admin, DataEndpoints data) {
        return dataService("catalog", instance, listen, admin, data, (ctx, sql, cache) ->
                new CatalogService(topology.services.catalog.config(), sql, cache).stages(engine.blocking()));
    }

    public HttpHop inventory(String instance, HostPort listen, HostPort admin, DataEndpoints data) {
        return dataService("inventory", instance, listen, admin, data, (ctx, sql, cache) ->
                new InventoryService(topology.services.inventory.cacheTtlSeconds, sql, cache).stages(engine.blocking()));
    }

    public HttpHop reviews(String instance, HostPort listen, HostPort admin, DataEndpoints data) {
        Topology.Reviews r = topology.services.reviews;
        return dataService("reviews", instance, listen, admin, data, (ctx, sql, cache) ->
                new ReviewsService(r.cacheTtlSeconds, r.recent, sql, cache).stages(engine.blocking()));
    }

    public HttpHop recommendations(String instance, HostPort listen, HostPort admin, DataEndpoints data) {
        Topology.Recommendations r = topology.services.recommendations;
        return dataService("recommendations", instance, listen, admin, data, (ctx, sql, cache) -> {
            CoOccurrence refresher = ctx.own(new CoOccurrence(sql, r.perProduct));
            refresher.start(r.refreshSeconds, () -> BackgroundWork.exchange(ctx, "refresh"));
            return new RecommendationsService(r.cacheTtlSeconds, r.limit, sql, cache).stages(engine.blocking());
        });
    }

    public HttpHop orders(String instance, HostPort listen, HostPort admin, DataEndpoints data) {
        return dataService("orders", instance, listen, admin, data, (ctx, sql, cache) ->
                new OrdersService(topology.services.orders.config(), sql, cache).stages(engine.blocking()));
    }

    /** The product page; {@code services} must name catalog, inventory, reviews and recommendations. */
    public HttpHop page(String instance, HostPort listen, HostPort admin, Map<String, HostPort> services) {
        HopContext ctx = engine.hop("page", instance);
        PageConfig config = topology.services.page.config();
        List<Part> parts = List.of(
                Part.of("product", address(services, "catalog"), "/api/products/", config.catalogTimeoutMs(), true, config),
                Part.of("inventory", address(services, "inventory"), "/api/inventory/", config.inventoryTimeoutMs(), false, config),
                Part.of("reviews", address(services, "reviews"), "/api/reviews/", config.reviewsTimeoutMs(), false, config),
                Part.of("recommendations", address(services, "recommendations"), "/api/recommendations/",
                        config.recommendationsTimeoutMs(), false, config));
        PageService page = new PageService(parts, ctx.client(topology.client), ctx.registry());
        return start(ctx, listen, admin, page.stages(engine.blocking()), AdminServer.Readiness.always(), Map.of());
    }

    private static HostPort address(Map<String, HostPort> services, String name) {
        HostPort hp = services.get(name);
        if (hp == null) throw new IllegalArgumentException("the page needs the address of " + name + "; known: " + services.keySet());
        return hp;
    }

    /** Reads to the replicas when there are any (a pool per replica per service), else to the primary. */
    private ReadRouter readRouter(HopContext ctx, String instance, Database primary, DataEndpoints data, RedisCache redis) {
        if (data.replicas().isEmpty()) return ReadRouter.primaryOnly(primary.dataSource());
        List<ReplicaRouter.Replica> replicas = new ArrayList<>();
        for (int i = 0; i < data.replicas().size(); i++) {
            Database replica = ctx.own(Database.openReplica(data.replicas().get(i), topology.data.postgres,
                    instance + "-replica-" + (i + 1)));
            replicas.add(new ReplicaRouter.Replica("replica-" + (i + 1), replica.dataSource()));
        }
        return ctx.own(new ReplicaRouter(primary.dataSource(), replicas, topology.data.replicas.maxLagBytes(),
                topology.data.replicas.checkIntervalMs(), ctx.registry(), new SharedWritePositions(redis)));
    }

    /**
     * A pool to the primary, its schema brought up to date first unless {@code up} just did: a hop in its
     * own process cannot know (a cluster's database has only the services to migrate it). Flyway takes a
     * lock, so pods starting together migrate once; the others find the schema current.
     */
    private Database primary(DataEndpoints data, String instance) {
        Database db = Database.open(data.jdbc(), topology.data.postgres, instance);
        if (!data.schemaCurrent()) {
            try {
                db.migrate();
            } catch (RuntimeException e) {
                db.close();
                throw new IllegalStateException(instance + ": cannot bring the database schema up to date at "
                        + data.jdbc().url() + ": " + e.getMessage(), e);
            }
        }
        return db;
    }

    @FunctionalInterface
    private interface ServiceFactory {
        List<Stage> stages(HopContext ctx, Sql sql, CacheAside cache);
    }

    /** A service with its own PostgreSQL pool and its own Redis client (cache-aside). */
    private HttpHop dataService(String role, String instance, HostPort listen, HostPort admin, DataEndpoints data,
                                ServiceFactory factory) {
        HopContext ctx = engine.hop(role, instance);
        try {
            Database db = ctx.own(primary(data, instance));
            RedisCache redis = ctx.own(new RedisCache(data.redisUrl(),
                    Duration.ofMillis(topology.data.redis.timeoutMs())));
            Sql sql = new Sql(db.dataSource(), readRouter(ctx, instance, db, data, redis));
            CacheAside cache = new CacheAside(redis, topology.services.cache.config(), ctx.registry());
            return start(ctx, listen, admin, factory.stages(ctx, sql, cache),
                    () -> sql.reachable(1) ? null : "database unreachable", Map.of());
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    /** The queue role: relays the orders' outbox to Kafka and runs the order-events worker. */
    public QueueHop queue(String instance, HostPort admin, DataEndpoints data, String kafkaBootstrap) {
        HopContext ctx = engine.hop("queue", instance);
        try {
            Database db = ctx.own(primary(data, instance));
            var config = topology.queue.config();
            io.requestflow.services.queue.Topics.ensure(kafkaBootstrap, config, topology.queue.partitions,
                    config.sendTimeoutMs());
            var relay = ctx.own(new io.requestflow.services.queue.OutboxRelay(db.dataSource(), kafkaBootstrap, config,
                    ctx.registry(), ctx.tracing()));
            ctx.own(new io.requestflow.services.queue.EventWorker(kafkaBootstrap, config,
                    new io.requestflow.services.queue.OrderConfirmation(db.dataSource()), ctx.registry(), ctx.tracing(),
                    instance));
            var deadLetters = new io.requestflow.services.queue.DeadLetters(kafkaBootstrap, config);
            AdminServer adminServer = AdminServer.start(ctx, admin, () -> {
                String error = relay.lastError();
                return error == null ? null : "cannot publish to Kafka at " + kafkaBootstrap + ": " + error;
            }, deadLetterRoutes(deadLetters));
            return new QueueHop(adminServer, ctx, kafkaBootstrap);
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    /** {@code GET /dlq?max=N}: the events waiting in the dead-letter topic; {@code POST /dlq/replay?max=N}: send them back. */
    private Map<String, RequestHandler> deadLetterRoutes(io.requestflow.services.queue.DeadLetters deadLetters) {
        return Map.of(
                "/dlq", request -> java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        var waiting = deadLetters.pending(max(request));
                        return io.requestflow.engine.http.Response.json(200, Map.of("topic", topology.queue.deadLetterTopic,
                                "waiting", waiting.size(), "events", waiting));
                    } catch (RuntimeException e) {
                        return io.requestflow.engine.http.Problem.of(503, "Service Unavailable",
                                "cannot read " + topology.queue.deadLetterTopic + ": " + e);
                    }
                }, engine.blocking()),
                "/dlq/replay", request -> java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    if (!request.method().equals("POST")) {
                        return io.requestflow.engine.http.Problem.of(405, "Method Not Allowed", "POST /dlq/replay?max=N");
                    }
                    try {
                        return io.requestflow.engine.http.Response.json(200, Map.of("replayed", deadLetters.replay(max(request)),
                                "to", topology.queue.topic));
                    } catch (Exception e) {
                        return io.requestflow.engine.http.Problem.of(503, "Service Unavailable",
                                "replaying failed part way (what went is committed): " + e);
                    }
                }, engine.blocking()));
    }

    private static int max(io.requestflow.engine.http.Request request) {
        try {
            String m = request.query("max");
            return m == null ? 100 : Math.max(1, Math.min(10_000, Integer.parseInt(m)));
        } catch (NumberFormatException e) {
            return 100;
        }
    }

    public DnsHop dns(String instance, DnsConfig config, HostPort admin) {
        return dns(instance, config, admin, java.util.function.UnaryOperator.identity());
    }

    /** The dns hop; {@code adjust} changes the zone as read, at start and on every reload (up's nearest edge). */
    public DnsHop dns(String instance, DnsConfig config, HostPort admin, java.util.function.UnaryOperator<DnsConfig> adjust) {
        HopContext ctx = engine.hop("dns", instance);
        try {
            DnsConfig zone = adjust.apply(config);
            // breakable like the HTTP hops (./flow break dns): SERVFAIL, delayed answers, unready
            DnsServer server = DnsServer.start(zone, ctx.registry(), engine.datagramGroup(), ctx.faults());
            try {
                // POST /dns/reload reads the dns section of the topology file again (the built-in one if none)
                var routes = io.requestflow.dns.DnsAdmin.routes(server, () -> topology.source == null ? zone
                        : adjust.apply(TopologyLoader.load(topology.source, true).dns));
                return new DnsHop(server, AdminServer.start(ctx, admin,
                        ctx.faults().readiness(AdminServer.Readiness.always()), ctx.faults().withAdminRoute(routes)), ctx);
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    private HttpHop start(HopContext ctx, HostPort listen, HostPort admin, List<Stage> stages,
                          AdminServer.Readiness ready, Map<String, RequestHandler> adminRoutes) {
        try {
            return HttpHop.start(ctx, spec(listen, admin), stages, ready, adminRoutes);
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    /** Where the signing keys lived before they moved to PostgreSQL: adopted once, when the database has none. */
    private Path legacySigningKeysFile() {
        return dataDir.resolve("auth").resolve("signing-keys.json");
    }

    /** An exchange for an operator action on the admin port, traced like any other. */
    private static Exchange adminExchange(HopContext ctx, Request request) {
        var span = ctx.tracing().startServer(ctx.hop() + " admin " + request.path(), new DefaultHttpHeaders());
        span.end();
        return new Exchange(request, ctx.hop(), "admin", span, ctx.tracing());
    }

    /** An exchange for work a service does at start-up, traced like any other. */
    private static Exchange startupExchange(HopContext ctx) {
        var span = ctx.tracing().startServer(ctx.hop() + " startup", new DefaultHttpHeaders());
        span.end();
        return new Exchange(Request.of("INIT", "/"), ctx.hop(), "startup", span, ctx.tracing());
    }
}
