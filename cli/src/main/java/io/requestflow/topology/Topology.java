package io.requestflow.topology;

import io.requestflow.balancer.BalancerConfig;
import io.requestflow.data.PostgresConfig;
import io.requestflow.data.RedisConfig;
import io.requestflow.dns.DnsConfig;
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

        public Edge() {
            super(8080);
        }

        public EdgeConfig config() {
            return new EdgeConfig(hosts);
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

        public Balancer() {
            super(8200);
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
        /** A verified token skips signature checks this long (expiry and deny list still checked); 0 = off. */
        public long verifiedTokenCacheSeconds = 60;
        /** Routes by service name; upstream addresses are filled in from where the services listen. */
        public List<RouteSpec> routes = List.of(
                new RouteSpec("/api/login", "auth", "none", List.of(), null).post(10, 20),
                new RouteSpec("/api/signup", "auth", "none", List.of(), null).post(2, 5),
                new RouteSpec("/api/token/refresh", "auth", "none", List.of(), null).post(10, 20),
                new RouteSpec("/api/logout", "auth", "jwt", List.of(), null).post(10, 20),
                new RouteSpec("/.well-known", "auth", "none", List.of(), null),
                new RouteSpec("/api/me", "auth", "jwt", List.of("profile"), null),
                new RouteSpec("/api/products", "catalog", "none", List.of(), 5_000L),
                new RouteSpec("/api/v1/products", "catalog", "none", List.of(), 5_000L).rewrite("/api/products"),
                new RouteSpec("/api/partner/v1/products", "catalog", "apikey", List.of(), 5_000L).rewrite("/api/products"));
        /** Usage plans API keys are created with ({@code ./flow apikey create --plan NAME}). */
        public java.util.Map<String, GatewayConfig.Plan> plans = defaultPlans();
        /** When Redis is unreachable: false = local per-instance buckets, quotas and deny list unchecked; true = 503. */
        public boolean redisFailClosed = false;
        /** After a Redis failure, how long to use the fallback before trying Redis again. */
        public long redisRetryMs = 1_000;
        /** A "not revoked" answer from the deny list is reused this long (a revocation reaches every gateway within it). */
        public long denyListCacheMs = 500;
        /** 0 = exact shared buckets; above 0, instances take tokens locally and sync with Redis this often. */
        public long throttleSyncMs = 0;
        /** How long an API key lookup is cached (a revoked key works for at most this long). */
        public long apiKeyCacheSeconds = 60;
        public long apiKeyLookupTimeoutMs = 2_000;
        /** Browser origins allowed to call the API (the console). */
        public List<String> corsOrigins = List.of("https://console.requestflow.test");
        public long corsMaxAgeSeconds = 600;

        public Gateway() {
            super(8300);
        }

        private static java.util.Map<String, GatewayConfig.Plan> defaultPlans() {
            var plans = new java.util.LinkedHashMap<String, GatewayConfig.Plan>();
            plans.put("free", new GatewayConfig.Plan(5, 10, 1_000, 20_000));
            plans.put("standard", new GatewayConfig.Plan(100, 200, 100_000, 2_000_000));
            plans.put("partner", new GatewayConfig.Plan(10_000, 20_000, 0, 0)); // seed: 10K req/s class
            return plans;
        }

        /** Redis settings for the gateway; null url = no Redis (local buckets only, no deny list). */
        public GatewayConfig.Redis redis(String url, long timeoutMs) {
            return url == null ? null : new GatewayConfig.Redis(url, timeoutMs, redisFailClosed, redisRetryMs, denyListCacheMs,
                    throttleSyncMs);
        }

        public GatewayConfig.Cors cors() {
            return new GatewayConfig.Cors(corsOrigins, corsMaxAgeSeconds);
        }

        public GatewayConfig.Jwt jwt(String jwksUrl) {
            return new GatewayConfig.Jwt(jwksUrl, issuer, audience, keyCacheTtlSeconds, minRefetchIntervalSeconds,
                    clockSkewSeconds, jwksFetchTimeoutMs, verifiedTokenCacheSeconds);
        }
    }

    public static final class RouteSpec {
        public String prefix;
        public String service;
        public String auth = "none";
        public List<String> scopes = List.of();
        public Long timeoutMs;
        /** Methods the route takes; empty = any. */
        public List<String> methods = List.of();
        /** Host the request must name; null = any. */
        public String host;
        /** Headers that must be present with this value ("*" = any value). */
        public java.util.Map<String, String> headers = java.util.Map.of();
        /** Replaces the matched prefix before forwarding; null = none. */
        public String rewrite;
        /** {rate, burst, per: route|user|client}; null = not throttled. */
        public GatewayConfig.Throttle throttle;
        /** Larger bodies get 413; null = the server's limit. */
        public Long maxBodyBytes;
        /** Media types a body may have (415 otherwise); empty = any. */
        public List<String> contentTypes = List.of();

        public RouteSpec() {}

        /** A JSON POST endpoint, throttled per client address. */
        RouteSpec post(long rate, long burst) {
            methods = List.of("POST");
            throttle = new GatewayConfig.Throttle(rate, burst, "client");
            maxBodyBytes = 4_096L;
            contentTypes = List.of("application/json");
            return this;
        }

        RouteSpec rewrite(String to) {
            rewrite = to;
            return this;
        }

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
        public long refreshTtlSeconds = AuthConfig.defaults().refreshTtlSeconds();
        /** Argon2id cost of new password hashes (OWASP: 19 MiB, 2 passes, 1 lane). */
        public int argon2MemoryKib = AuthConfig.defaults().argon2().memoryKib();
        public int argon2Iterations = AuthConfig.defaults().argon2().iterations();
        public int argon2Parallelism = AuthConfig.defaults().argon2().parallelism();
        /** Failed logins per account, and login (or signup) attempts per client address, per window. */
        public int loginMaxFailuresPerAccount = AuthConfig.LoginLimits.defaults().maxFailuresPerAccount();
        public int loginMaxPerIp = AuthConfig.LoginLimits.defaults().maxPerIp();
        public long loginWindowSeconds = AuthConfig.LoginLimits.defaults().windowSeconds();
        /** How often deny-list entries Redis lost are written back from PostgreSQL (0 = never). */
        public long denyListRepairSeconds = 30;
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
        return new AuthConfig(gateway.issuer, gateway.audience, a.tokenTtlSeconds, a.refreshTtlSeconds,
                new io.requestflow.services.auth.PasswordHasher.Cost(a.argon2MemoryKib, a.argon2Iterations, a.argon2Parallelism),
                new AuthConfig.LoginLimits(a.loginMaxFailuresPerAccount, a.loginMaxPerIp, a.loginWindowSeconds),
                a.demoUser, a.demoPassword, gateway.plans.keySet());
    }

    /** Every listener on port 0, for tests that run beside other copies. */
    public Topology ephemeral() {
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
