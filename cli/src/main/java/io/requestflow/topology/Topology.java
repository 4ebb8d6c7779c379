package io.requestflow.topology;

import java.nio.file.Path;

import io.requestflow.balancer.BalancerConfig;
import io.requestflow.data.PostgresConfig;
import io.requestflow.data.RedisConfig;
import io.requestflow.data.ReplicaConfig;
import io.requestflow.dns.DnsConfig;
import io.requestflow.edge.CacheConfig;
import io.requestflow.edge.EdgeConfig;
import io.requestflow.engine.client.ClientConfig;
import io.requestflow.engine.server.ServerConfig;
import io.requestflow.firewall.FirewallConfig;
import io.requestflow.firewall.ratelimit.RateLimitConfig;
import io.requestflow.firewall.waf.WafConfig;
import io.requestflow.gateway.GatewayConfig;
import io.requestflow.services.auth.AuthConfig;
import io.requestflow.services.catalog.CatalogConfig;
import io.requestflow.services.orders.OrdersConfig;
import io.requestflow.services.page.PageConfig;

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
    public TracingSettings tracing = new TracingSettings();

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
    public Queue queue = new Queue();
    public Console console = new Console();
    public Wan wan = new Wan();

    /** Spans every hop records into its /spans store. */
    public static final class TracingSettings {
        /**
         * Share (0 to 1) of requests recorded when the caller did not ask for a trace; a sampled
         * {@code traceparent} (as {@code ./flow get} sends) is always recorded. 1: every request, so any
         * request id can be looked up in /spans.
         */
        public double sampleRatio = 1.0;
    }

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
        /**
         * PEM certificate chain (leaf first) and its private key to serve instead of one from the local CA,
         * re-read when replaced; relative to the Requestflow directory. Both or neither.
         */
        public String tlsCertificate;
        public String tlsKey;

        /** Relative certificate paths made absolute against {@code home}; an error when only one is set. */
        public void resolveCertificatePaths(Path home) {
            if ((tlsCertificate == null) != (tlsKey == null)) {
                throw new IllegalArgumentException("edge.tlsCertificate and edge.tlsKey (serve --tls-cert and --tls-key)"
                        + " go together: set both (PEM chain and its private key) or neither (a certificate from the local CA)");
            }
            if (tlsCertificate == null) return;
            tlsCertificate = home.resolve(tlsCertificate).toString();
            tlsKey = home.resolve(tlsKey).toString();
        }
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
        public List<String> allow = FirewallConfig.defaults().allow();
        public List<FirewallConfig.PrivateRoute> privateRoutes = FirewallConfig.defaults().privateRoutes();
        public List<String> allowedMethods = FirewallConfig.defaults().allowedMethods();
        public int maxUriBytes = FirewallConfig.defaults().maxUriBytes();
        public int maxHeaders = FirewallConfig.defaults().maxHeaders();
        public int maxHeaderBytes = FirewallConfig.defaults().maxHeaderBytes();
        public Waf waf = new Waf();
        public RateLimit rateLimit = new RateLimit();

        public Firewall() {
            super(8100);
        }

        public FirewallConfig config() {
            return new FirewallConfig(deny, trustedProxies, maxBodyBytes, allow, privateRoutes, allowedMethods,
                    maxUriBytes, maxHeaders, maxHeaderBytes, waf.config(), rateLimit.config());
        }
    }

    /** firewall.waf: see {@link WafConfig}. */
    public static final class Waf {
        private static final WafConfig D = WafConfig.defaults();
        public String mode = D.mode();
        public int paranoiaLevel = D.paranoiaLevel();
        public int inboundThreshold = D.inboundThreshold();
        public int maxArgs = D.maxArgs();
        public int maxArgNameLength = D.maxArgNameLength();
        public int maxArgLength = D.maxArgLength();
        public int maxTotalArgLength = D.maxTotalArgLength();
        public String auditLog = D.auditLog();
        public List<WafConfig.Exclusion> exclusions = D.exclusions();
        public List<String> botAllow = D.botAllow();
        public int cleanHeaderMemo = D.cleanHeaderMemo();
        public int cleanValueMemo = D.cleanValueMemo();

        public WafConfig config() {
            return new WafConfig(mode, paranoiaLevel, inboundThreshold, maxArgs, maxArgNameLength, maxArgLength,
                    maxTotalArgLength, auditLog, exclusions, botAllow, cleanHeaderMemo, cleanValueMemo).validated();
        }
    }

    /** firewall.rateLimit: see {@link RateLimitConfig}. */
    public static final class RateLimit {
        private static final RateLimitConfig D = RateLimitConfig.defaults();
        public int requestsPerWindow = D.requestsPerWindow();
        public long windowMs = D.windowMs();
        public long redisTimeoutMs = D.redisTimeoutMs();
        public long retryRedisMs = D.retryRedisMs();
        public int maxLocalClients = D.maxLocalClients();

        public RateLimitConfig config() {
            return new RateLimitConfig(requestsPerWindow, windowMs, redisTimeoutMs, retryRedisMs, maxLocalClients);
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
        /** Targets from a DNS name (a Kubernetes headless Service), next to the configured ones; null = off. */
        public io.requestflow.balancer.DiscoveryConfig discovery;

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
                new RouteSpec("/images", "catalog", "none", List.of(), 5_000L),
                new RouteSpec("/api/categories", "catalog", "none", List.of(), 5_000L),
                new RouteSpec("/api/inventory", "inventory", "none", List.of(), 5_000L),
                new RouteSpec("/api/reviews", "reviews", "jwt", List.of(), 5_000L).post(5, 10),
                new RouteSpec("/api/reviews", "reviews", "none", List.of(), 5_000L),
                new RouteSpec("/api/recommendations", "recommendations", "none", List.of(), 5_000L),
                new RouteSpec("/api/pages", "page", "none", List.of(), 5_000L),
                new RouteSpec("/api/orders", "orders", "jwt", List.of(), 10_000L),
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
        /** Only with throttleLeaseMs 0: 0 = exact shared buckets; above 0, instances take tokens locally and sync with Redis this often. */
        public long throttleSyncMs = 0;
        /** Instances lease a bucket's tokens from Redis for this long (upper bound exact); 0 = one Redis take per request. */
        public long throttleLeaseMs = GatewayConfig.Redis.DEFAULT_LEASE_MS;
        /** The most tokens one lease takes. */
        public long throttleMaxLeaseTokens = GatewayConfig.Redis.DEFAULT_MAX_LEASE_TOKENS;
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
                    throttleSyncMs, throttleLeaseMs, throttleMaxLeaseTokens);
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
        public Inventory inventory = new Inventory();
        public Reviews reviews = new Reviews();
        public Recommendations recommendations = new Recommendations();
        public Page page = new Page();
        public Orders orders = new Orders();
        /** Cache-aside settings shared by every service that caches. */
        public Cache cache = new Cache();
    }

    public static final class Cache {
        private static final io.requestflow.services.cache.CacheConfig D = io.requestflow.services.cache.CacheConfig.defaults();
        public long negativeTtlSeconds = D.negativeTtlSeconds();
        public int nearMaxEntries = D.nearMaxEntries();
        public long nearTtlMs = D.nearTtlMs();
        public double earlyRefreshBeta = D.earlyRefreshBeta();
        public long lockTtlMs = D.lockTtlMs();
        public long lockWaitMs = D.lockWaitMs();
        public int maxConcurrentLoads = D.maxConcurrentLoads();
        public long loadWaitMs = D.loadWaitMs();
        public long writeFenceMs = D.writeFenceMs();

        public io.requestflow.services.cache.CacheConfig config() {
            return new io.requestflow.services.cache.CacheConfig(negativeTtlSeconds, nearMaxEntries, nearTtlMs, earlyRefreshBeta, lockTtlMs, lockWaitMs,
                    maxConcurrentLoads, loadWaitMs, writeFenceMs);
        }
    }

    public static final class Inventory extends Listener {
        public long cacheTtlSeconds = 5;

        public Inventory() {
            super(8510);
        }
    }

    public static final class Reviews extends Listener {
        public long cacheTtlSeconds = 300;
        public int recent = 5;

        public Reviews() {
            super(8520);
        }
    }

    public static final class Recommendations extends Listener {
        public long cacheTtlSeconds = 300;
        public int limit = 5;
        public int perProduct = 10;
        public long refreshSeconds = 300;

        public Recommendations() {
            super(8530);
        }
    }

    public static final class Page extends Listener {
        private static final PageConfig D = PageConfig.defaults();
        public long catalogTimeoutMs = D.catalogTimeoutMs();
        public long inventoryTimeoutMs = D.inventoryTimeoutMs();
        public long reviewsTimeoutMs = D.reviewsTimeoutMs();
        public long recommendationsTimeoutMs = D.recommendationsTimeoutMs();
        public int breakerFailureRatePercent = D.breaker().failureRatePercent();
        public int breakerMinCalls = D.breaker().minCalls();
        public int breakerWindowSeconds = D.breaker().windowSeconds();
        public long breakerOpenMs = D.breaker().openMs();
        public int breakerHalfOpenCalls = D.breaker().halfOpenCalls();
        public int bulkheadMaxConcurrent = D.bulkheadMaxConcurrent();

        public Page() {
            super(8540);
        }

        public PageConfig config() {
            return new PageConfig(catalogTimeoutMs, inventoryTimeoutMs, reviewsTimeoutMs, recommendationsTimeoutMs,
                    new PageConfig.Breaker(breakerFailureRatePercent, breakerMinCalls, breakerWindowSeconds, breakerOpenMs,
                            breakerHalfOpenCalls), bulkheadMaxConcurrent);
        }
    }

    public static final class Orders extends Listener {
        public int maxItems = OrdersConfig.defaults().maxItems();
        public int maxQuantity = OrdersConfig.defaults().maxQuantity();

        public Orders() {
            super(8550);
        }

        public OrdersConfig config() {
            return new OrdersConfig(maxItems, maxQuantity);
        }
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
        /**
         * Password hashes run on their own threads below the requests' priority: this many at once (default
         * half the cores), this many waiting before a 503, this long per request, at this nice value.
         */
        public int hashThreads = AuthConfig.Hashing.defaults().threads();
        public int hashQueue = AuthConfig.Hashing.defaults().queue();
        public long hashTimeoutMs = AuthConfig.Hashing.defaults().timeoutMs();
        public int hashNice = AuthConfig.Hashing.defaults().nice();

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
        public ReplicaConfig replicas = ReplicaConfig.defaults();
        public RedisConfig redis = RedisConfig.defaults();
        public io.requestflow.data.KafkaConfig kafka = io.requestflow.data.KafkaConfig.defaults();
    }

    /** The queue role: the outbox relay and the order-events worker, with an admin port of their own. */
    /** The web console {@code up} serves: see {@link io.requestflow.console.ConsoleSettings}. */
    public static final class Console {
        private static final io.requestflow.console.ConsoleSettings D = io.requestflow.console.ConsoleSettings.defaults();
        public boolean enabled = true;
        public int port = D.port();
        public long adminTimeoutMs = D.adminTimeoutMs();
        public long requestTimeoutMs = D.requestTimeoutMs();
        /**
         * On a cluster ({@code ./flow kube} sets it): the DNS domain of the {@code <role>-admin} headless
         * Services through which {@code serve --role console} finds every pod, instead of the topology's ports.
         */
        public String podDomain;

        public io.requestflow.console.ConsoleSettings settings() {
            return new io.requestflow.console.ConsoleSettings(port, adminTimeoutMs, requestTimeoutMs);
        }
    }

    /**
     * The wide-area link between clients and the edge, made real in user space (this kernel has no
     * {@code netem}): when enabled, the edge's ports are a relay that delays every connection by half of
     * {@code dns.latencyMs[client region][edgeRegion]} per direction, the client's region found from its
     * address as the DNS hop finds it. The edge itself then listens on any free port behind it.
     */
    public static final class Wan {
        public boolean enabled = false;
        /** Where the edge stands; null: {@code dns.defaultRegion}. */
        public String edgeRegion;
        /**
         * Where the origin (firewall and everything behind it) stands; null: with the edge. In another region,
         * the edge reaches the firewall over a link of {@code dns.latencyMs[edgeRegion][originRegion]}.
         */
        public String originRegion;
        /**
         * More edges, one per region, each with its own cache, at its own loopback address on the front door's
         * ports; the shop's name then answers by latency, so GeoDNS sends each client to its nearest edge.
         */
        public List<RegionalEdge> edges = List.of();
        public long connectTimeoutMs = 1_000;
        public int maxBufferedBytes = 4 * 1024 * 1024;

        public io.requestflow.engine.net.wan.WanRelay.Settings settings() {
            return new io.requestflow.engine.net.wan.WanRelay.Settings(connectTimeoutMs, maxBufferedBytes);
        }
    }

    /** An edge in {@code region}, reached at {@code address} (a loopback address) on the front door's ports. */
    public record RegionalEdge(String region, String address) {}

    public static final class Queue {
        private static final io.requestflow.services.queue.QueueConfig D = io.requestflow.services.queue.QueueConfig.defaults();
        /** {@code up} starts Kafka and the queue role; false leaves both out (orders still write their outbox). */
        public boolean enabled = true;
        public int adminPort = 9600;
        public String topic = D.topic();
        public String deadLetterTopic = D.deadLetterTopic();
        /** Partitions of each topic when the queue creates it (the most workers that can share the load). */
        public int partitions = 3;
        public long relayIntervalMs = D.relayIntervalMs();
        public int relayBatch = D.relayBatch();
        public long sendTimeoutMs = D.sendTimeoutMs();
        public String group = D.group();
        public int maxAttempts = D.maxAttempts();
        public long backoffBaseMs = D.backoffBaseMs();
        public long backoffMaxMs = D.backoffMaxMs();

        public io.requestflow.services.queue.QueueConfig config() {
            return new io.requestflow.services.queue.QueueConfig(topic, deadLetterTopic, relayIntervalMs, relayBatch,
                    sendTimeoutMs, group, maxAttempts, backoffBaseMs, backoffMaxMs);
        }
    }

    public AuthConfig authConfig() {
        Auth a = services.auth;
        return new AuthConfig(gateway.issuer, gateway.audience, a.tokenTtlSeconds, a.refreshTtlSeconds,
                new io.requestflow.services.auth.PasswordHasher.Cost(a.argon2MemoryKib, a.argon2Iterations, a.argon2Parallelism),
                new AuthConfig.LoginLimits(a.loginMaxFailuresPerAccount, a.loginMaxPerIp, a.loginWindowSeconds),
                a.demoUser, a.demoPassword, gateway.plans.keySet(),
                new AuthConfig.Hashing(a.hashThreads, a.hashQueue, a.hashTimeoutMs, a.hashNice));
    }

    /** Every listener on port 0, for tests that run beside other copies. */
    public Topology ephemeral() {
        edge.tlsPort = 0;
        for (Listener l : List.of(edge, firewall, balancer, gateway, services.auth, services.catalog, services.inventory,
                services.reviews, services.recommendations, services.page, services.orders)) {
            l.port = 0;
            l.adminPort = 0;
        }
        dns = dns.withPort(0);
        dnsAdminPort = 0;
        data.postgres = data.postgres.withPort(0);
        data.replicas = data.replicas.withPort(0);
        data.redis = RedisConfig.embedded(0);
        data.kafka = new io.requestflow.data.KafkaConfig(data.kafka.url(), 0, data.kafka.heapMb());
        queue.adminPort = 0;
        console.port = 0;
        return this;
    }
}
