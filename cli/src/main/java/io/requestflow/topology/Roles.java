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

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How each role starts, the same for {@code up} (all roles in one process) and {@code serve} (one
 * role per process): build the hop's stages from its config, then start it on its addresses.
 */
public final class Roles {
    public static final List<String> NAMES = List.of("dns", "edge", "firewall", "balancer", "gateway", "auth",
            "catalog", "data");

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
        HopContext ctx = engine.hop("edge", instance);
        var stages = EdgeHop.stages(topology.edge.config(), new Forwarder(ctx.client(topology.client)), firewall);
        return start(ctx, listen, admin, stages, AdminServer.Readiness.always(), Map.of());
    }

    public HttpHop firewall(String instance, HostPort listen, HostPort admin, HostPort balancer) {
        HopContext ctx = engine.hop("firewall", instance);
        var stages = FirewallHop.stages(topology.firewall.config(), new Forwarder(ctx.client(topology.client)),
                balancer);
        return start(ctx, listen, admin, stages, AdminServer.Readiness.always(), Map.of());
    }

    public HttpHop balancer(String instance, HostPort listen, HostPort admin, List<BalancerConfig.Target> targets) {
        HopContext ctx = engine.hop("balancer", instance);
        BalancerHop balancer = new BalancerHop(new BalancerConfig(targets, topology.balancer.healthCheck), ctx,
                topology.client);
        HttpHop hop = start(ctx, listen, admin, balancer.stages(), balancer::notReadyReason, balancer.adminRoutes());
        balancer.startHealthChecks();
        return hop;
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
            Database db = ctx.own(Database.open(data.jdbc(), topology.data.postgres, instance));
            Sql sql = new Sql(db.dataSource());
            AuthRedis redis = ctx.own(new AuthRedis(data.redisUrl(), Duration.ofMillis(topology.data.redis.timeoutMs())));
            AuthService auth = new AuthService(topology.authConfig(), sql, signingKeys(), redis);
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
        HopContext ctx = engine.hop("catalog", instance);
        try {
            Database db = ctx.own(Database.open(data.jdbc(), topology.data.postgres, instance));
            Sql sql = new Sql(db.dataSource());
            RedisCache cache = ctx.own(new RedisCache(data.redisUrl(),
                    Duration.ofMillis(topology.data.redis.timeoutMs())));
            CatalogService catalog = new CatalogService(topology.services.catalog.config(), sql, cache);
            return start(ctx, listen, admin, catalog.stages(engine.blocking()),
                    () -> sql.reachable(1) ? null : "database unreachable", Map.of());
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    public DnsHop dns(String instance, DnsConfig config, HostPort admin) {
        HopContext ctx = engine.hop("dns", instance);
        try {
            DnsServer server = DnsServer.start(config, ctx.registry(), engine.group());
            try {
                return new DnsHop(server, AdminServer.start(ctx, admin, AdminServer.Readiness.always(), Map.of()), ctx);
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

    /** The auth service's signing keys file, shared by every auth instance and {@code ./flow keys rotate}. */
    public Path signingKeysFile() {
        return dataDir.resolve("auth").resolve("signing-keys.json");
    }

    private SigningKeys signingKeys() {
        return SigningKeys.loadOrCreate(signingKeysFile());
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
