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
        return edge(instance, listen, null, admin, firewall);
    }

    /** The edge; {@code tlsListen} (may be null) adds HTTPS with a certificate from the local CA. */
    public HttpHop edge(String instance, HostPort listen, HostPort tlsListen, HostPort admin, HostPort firewall) {
        HopContext ctx = engine.hop("edge", instance);
        var upstreamClient = ctx.client(topology.client);
        EdgeHop edge = new EdgeHop(topology.edge.config(), new Forwarder(upstreamClient), firewall, ctx.registry(),
                upstreamClient);
        HttpHop hop = start(ctx, listen, admin, edge.stages(), AdminServer.Readiness.always(), edge.adminRoutes());
        if (tlsListen == null) return hop;
        try {
            return hop.withTls(tlsListen, ServerTls.context(localCa().issue(certificateNames())));
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
        HopContext ctx = engine.hop("firewall", instance);
        var stages = FirewallHop.stages(topology.firewall.config(), new Forwarder(ctx.client(topology.client)),
                balancer);
        return start(ctx, listen, admin, stages, AdminServer.Readiness.always(), Map.of());
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
        return new Balancer(hop, balancer);
    }

    /** A gateway instance; {@code services} maps service name to its address. */
    public HttpHop gateway(String instance, HostPort listen, HostPort admin, Map<String, HostPort> services) {
        HopContext ctx = engine.hop("gateway", instance);
        List<GatewayConfig.Route> routes = topology.gateway.routes.stream().map(r -> {
            HostPort upstream = services.get(r.service);
            if (upstream == null) {
                throw new IllegalArgumentException("gateway route " + r.prefix + " names service '" + r.service
                        + "', which has no address; known: " + services.keySet());
            }
            return new GatewayConfig.Route(r.prefix, r.service, upstream.toString(), r.auth, r.scopes, r.timeoutMs);
        }).toList();
        HostPort auth = services.get("auth");
        String jwksUrl = "http://" + auth + "/.well-known/jwks.json";
        var stages = GatewayHop.stages(new GatewayConfig(routes, topology.gateway.jwt(jwksUrl)), ctx, topology.client);
        return start(ctx, listen, admin, stages, AdminServer.Readiness.always(), Map.of());
    }

    public HttpHop auth(String instance, HostPort listen, HostPort admin, DataEndpoints data) {
        HopContext ctx = engine.hop("auth", instance);
        try {
            Database db = ctx.own(Database.open(data.jdbc(), topology.data.postgres, instance));
            Sql sql = new Sql(db.dataSource());
            AuthService auth = new AuthService(topology.authConfig(), sql,
                    SigningKeys.loadOrCreate(dataDir.resolve("auth").resolve("signing-key.jwk.json")));
            auth.seedDemoUser(startupExchange(ctx));
            return start(ctx, listen, admin, auth.stages(engine.blocking()),
                    () -> sql.reachable(1) ? null : "database unreachable", Map.of());
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
                // POST /dns/reload reads the dns section of the topology file again (the built-in one if none)
                var routes = io.requestflow.dns.DnsAdmin.routes(server, () -> topology.source == null ? config
                        : TopologyLoader.load(topology.source, true).dns);
                return new DnsHop(server, AdminServer.start(ctx, admin, AdminServer.Readiness.always(), routes), ctx);
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

    /** An exchange for work a service does at start-up, traced like any other. */
    private static Exchange startupExchange(HopContext ctx) {
        var span = ctx.tracing().startServer(ctx.hop() + " startup", new DefaultHttpHeaders());
        span.end();
        return new Exchange(Request.of("INIT", "/"), ctx.hop(), "startup", span, ctx.tracing());
    }
}
