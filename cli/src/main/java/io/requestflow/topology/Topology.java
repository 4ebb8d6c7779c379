package io.requestflow.topology;

import io.requestflow.balancer.BalancerConfig;
import io.requestflow.data.PostgresConfig;
import io.requestflow.data.RedisConfig;
import io.requestflow.dns.DnsConfig;
import io.requestflow.edge.CacheConfig;
import io.requestflow.edge.EdgeConfig;
import io.requestflow.engine.client.ClientConfig;
import io.requestflow.engine.server.ServerConfig;
import io.requestflow.firewall.FirewallConfig;
import io.requestflow.gateway.GatewayConfig;
import io.requestflow.services.auth.AuthConfig;
import io.requestflow.services.catalog.CatalogConfig;

import java.util.List;

/**
 * The whole topology as {@code config/topology.yaml} describes it. Every field has a default, so the
 * file is optional and may override only what it names. A port of 0 means "any free port" (tests).
 * Admin ports default to the traffic port + 1000.
 */
public final class Topology {
    /** Where PostgreSQL, Redis and the auth signing key keep their files (relative to the project). */
    public String dataDir = "var";
    /** The address every hop listens on. */
    public String bind = "127.0.0.1";
    /** Products the generator puts in the catalog. */
    public int catalogProducts = 10_000;
    /** Upper bound on one request's time inside any hop (504 after it). */
    public long requestTimeoutMs = 30_000;
    public ClientConfig client = ClientConfig.defaults();
    public ServerConfig server = ServerConfig.defaults();

    /** Records default to shop.requestflow.test → 127.0.0.1; change them with {@code bind}. */
    public DnsConfig dns = DnsConfig.defaults();
    /** The file this topology was read from (null: built-in defaults); the dns hop reloads its zone from it. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public java.nio.file.Path source;
    public int dnsAdminPort = 6353;
    public Edge edge = new Edge();
    public Firewall firewall = new Firewall();
    public Balancer balancer = new Balancer();
    public Gateway gateway = new Gateway();
    public Services services = new Services();
    public Data data = new Data();

    /** Traffic port and admin port of one hop. */
    public static class Listener {
        public int port;
        public Integer adminPort;

        Listener(int port) {
            this.port = port;
        }

        public int adminPortOrDefault() {
            return adminPort != null ? adminPort : port == 0 ? 0 : port + 1000;
        }
    }

    public static final class Edge extends Listener {
        public List<String> hosts = EdgeConfig.defaults().hosts();
        /** TLS 1.3/1.2 with HTTP/2 and HTTP/1.1 by ALPN, certificate from the local CA; 0 = any free port. */
        public Integer tlsPort = 8443;
        public CacheConfig cache = CacheConfig.defaults();
        /** CIDR → country code sent to the origin as X-Viewer-Country. */
        public java.util.Map<String, String> viewerCountries = EdgeConfig.defaultCountries();

        public Edge() {
            super(8080);
        }

        public EdgeConfig config() {
            return new EdgeConfig(hosts, cache, viewerCountries);
        }
    }

    public static final class Firewall extends Listener {
        public List<String> deny = FirewallConfig.defaults().deny();
        public List<String> trustedProxies = FirewallConfig.defaults().trustedProxies();
        public long maxBodyBytes = FirewallConfig.defaults().maxBodyBytes();

        public Firewall() {
            super(8100);
        }

        public FirewallConfig config() {
            return new FirewallConfig(deny, trustedProxies, maxBodyBytes);
        }
    }

    public static final class Balancer extends Listener {
        public BalancerConfig.HealthCheck healthCheck = BalancerConfig.HealthCheck.defaults();
        public String picker = BalancerConfig.Policy.defaults().picker();
        public String hashKey = BalancerConfig.Policy.defaults().hashKey();
        public String zone = BalancerConfig.Policy.defaults().zone();
        public boolean crossZone = BalancerConfig.Policy.defaults().crossZone();
        public int panicPercent = BalancerConfig.Policy.defaults().panicPercent();
        public long slowStartMs = BalancerConfig.Policy.defaults().slowStartMs();
        public long drainTimeoutMs = BalancerConfig.Policy.defaults().drainTimeoutMs();
        public BalancerConfig.Outlier outlier = BalancerConfig.Outlier.defaults();
        public BalancerConfig.Retry retry = BalancerConfig.Retry.defaults();

        public Balancer() {
            super(8200);
        }

        public BalancerConfig.Policy policy() {
            return new BalancerConfig.Policy(picker, hashKey, zone, crossZone, panicPercent, slowStartMs,
                    drainTimeoutMs, outlier, retry);
        }
    }

    /** Gateway instances listen on port, port+1, … (admin: adminPort, adminPort+1, …). */
    public static final class Gateway extends Listener {
        public int instances = 2;
        public String issuer = "https://auth.requestflow.test";
        public String audience = "requestflow-api";
        public long keyCacheTtlSeconds = 300;
        public long minRefetchIntervalSeconds = 30;
        public long clockSkewSeconds = 30;
        public long jwksFetchTimeoutMs = 2_000;
        /** Routes by service name; upstream addresses are filled in from where the services listen. */
        public List<RouteSpec> routes = List.of(
                new RouteSpec("/api/login", "auth", "none", List.of(), null),
                new RouteSpec("/.well-known", "auth", "none", List.of(), null),
                new RouteSpec("/api/me", "auth", "jwt", List.of("profile"), null),
                new RouteSpec("/api/products", "catalog", "none", List.of(), 5_000L),
                new RouteSpec("/images", "catalog", "none", List.of(), 5_000L));

        public Gateway() {
            super(8300);
        }

        public GatewayConfig.Jwt jwt(String jwksUrl) {
            return new GatewayConfig.Jwt(jwksUrl, issuer, audience, keyCacheTtlSeconds, minRefetchIntervalSeconds,
                    clockSkewSeconds, jwksFetchTimeoutMs);
        }
    }

    public static final class RouteSpec {
        public String prefix;
        public String service;
        public String auth = "none";
        public List<String> scopes = List.of();
        public Long timeoutMs;

        public RouteSpec() {}

        RouteSpec(String prefix, String service, String auth, List<String> scopes, Long timeoutMs) {
            this.prefix = prefix;
            this.service = service;
            this.auth = auth;
            this.scopes = scopes;
            this.timeoutMs = timeoutMs;
        }
    }

    public static final class Services {
        public Auth auth = new Auth();
        public Catalog catalog = new Catalog();
    }

    public static final class Auth extends Listener {
        public long tokenTtlSeconds = AuthConfig.defaults().tokenTtlSeconds();
        public int hashIterations = AuthConfig.defaults().hashIterations();
        public String demoUser = AuthConfig.defaults().demoUser();
        public String demoPassword = AuthConfig.defaults().demoPassword();

        public Auth() {
            super(8400);
        }
    }

    public static final class Catalog extends Listener {
        public long cacheTtlSeconds = CatalogConfig.defaults().cacheTtlSeconds();
        public int defaultLimit = CatalogConfig.defaults().defaultLimit();
        public int maxLimit = CatalogConfig.defaults().maxLimit();

        public Catalog() {
            super(8500);
        }

        public CatalogConfig config() {
            return new CatalogConfig(cacheTtlSeconds, defaultLimit, maxLimit);
        }
    }

    public static final class Data {
        public PostgresConfig postgres = PostgresConfig.defaults();
        public RedisConfig redis = RedisConfig.defaults();
    }

    public AuthConfig authConfig() {
        Auth a = services.auth;
        return new AuthConfig(gateway.issuer, gateway.audience, a.tokenTtlSeconds, a.hashIterations, a.demoUser,
                a.demoPassword);
    }

    /** Every listener on port 0, for tests that run beside other copies. */
    public Topology ephemeral() {
        edge.tlsPort = 0;
        for (Listener l : List.of(edge, firewall, balancer, gateway, services.auth, services.catalog)) {
            l.port = 0;
            l.adminPort = 0;
        }
        dns = dns.withPort(0);
        dnsAdminPort = 0;
        data.postgres = data.postgres.withPort(0);
        data.redis = RedisConfig.embedded(0);
        return this;
    }
}
