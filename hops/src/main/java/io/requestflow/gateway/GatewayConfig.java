package io.requestflow.gateway;

import io.requestflow.engine.net.HostPort;

import java.util.List;
import java.util.Map;

/**
 * The gateway hop's policy settings: its route table, how it verifies tokens, the usage plans API keys
 * belong to, how it throttles, and request hygiene.
 *
 * @param routes     the route table (see {@link RouteTable} for matching)
 * @param jwt        token verification
 * @param plans      usage plans by name; every API key names one
 * @param redis      where buckets, quotas and the token deny list live
 * @param apiKeys    how API keys are looked up
 * @param cors       cross-origin access for the console
 */
public record GatewayConfig(List<Route> routes, Jwt jwt, Map<String, Plan> plans, Redis redis, ApiKeys apiKeys,
                            Cors cors) {

    /** Routes and JWT only: no Redis (no throttling, no deny list), no API keys, no CORS. */
    public GatewayConfig(List<Route> routes, Jwt jwt) {
        this(routes, jwt, Map.of(), null, null, Cors.none());
    }

    /**
     * One route. A request matches when its path starts with {@code prefix} on segment boundaries
     * ({@code {name}} segments match any one segment), and the method, host and header predicates hold;
     * the most specific match wins.
     *
     * @param prefix       path prefix, segment-wise, may contain {@code {name}} templates
     * @param service      the service's name, shown in Server-Timing and errors
     * @param upstream     the service address, HOST:PORT
     * @param auth         {@code none}, {@code jwt} or {@code apikey}
     * @param scopes       scopes a token must carry on a {@code jwt} route (403 otherwise)
     * @param timeoutMs    how long the service may take (504 after it); null = the client default
     * @param methods      methods this route takes; empty = any (405 when only the method differs)
     * @param host         Host the request must name; null = any
     * @param headers      headers that must be present with this value ({@code *} = any value)
     * @param rewrite      replaces the matched prefix before forwarding ({@code /api/v1/x} → {@code /api/x}); null = none
     * @param throttle     token bucket for this route; null = none
     * @param maxBodyBytes larger bodies are refused with 413; null = the server's limit
     * @param contentTypes media types a request body may have (415 otherwise); empty = any
     */
    public record Route(String prefix, String service, String upstream, String auth, List<String> scopes,
                        Long timeoutMs, List<String> methods, String host, Map<String, String> headers,
                        String rewrite, Throttle throttle, Long maxBodyBytes, List<String> contentTypes) {

        public Route(String prefix, String service, String upstream, String auth, List<String> scopes, Long timeoutMs) {
            this(prefix, service, upstream, auth, scopes, timeoutMs, List.of(), null, Map.of(), null, null, null, List.of());
        }

        public Route {
            methods = methods == null ? List.of() : methods.stream().map(m -> m.toUpperCase(java.util.Locale.ROOT)).toList();
            headers = headers == null ? Map.of() : Map.copyOf(headers);
            contentTypes = contentTypes == null ? List.of() : contentTypes;
            scopes = scopes == null ? List.of() : scopes;
            if (auth != null && !List.of("none", "jwt", "apikey").contains(auth.toLowerCase(java.util.Locale.ROOT))) {
                throw new IllegalArgumentException("gateway route " + prefix + ": auth must be none, jwt or apikey, got " + auth);
            }
        }

        public boolean requiresJwt() {
            return "jwt".equalsIgnoreCase(auth);
        }

        public boolean requiresApiKey() {
            return "apikey".equalsIgnoreCase(auth);
        }

        public HostPort upstreamAddress() {
            return HostPort.parse(upstream);
        }

        public List<String> requiredScopes() {
            return scopes;
        }
    }

    /**
     * A token bucket: {@code burst} requests at once, refilled at {@code rate} per second.
     *
     * @param rate  sustained requests per second
     * @param burst bucket capacity
     * @param per   {@code route} (one bucket for everyone), {@code user} (per token subject or API key,
     *              anonymous callers share one bucket per client address) or {@code client} (per client address)
     */
    public record Throttle(long rate, long burst, String per) {
        public Throttle {
            if (rate < 1 || burst < 1) throw new IllegalArgumentException("throttle rate and burst must be positive");
            per = per == null ? "route" : per.toLowerCase(java.util.Locale.ROOT);
            if (!List.of("route", "user", "client").contains(per)) {
                throw new IllegalArgumentException("throttle.per must be route, user or client, got " + per);
            }
        }
    }

    /**
     * A usage plan for API keys: a token bucket plus daily and monthly quotas (UTC calendar days and
     * months; 0 = unlimited).
     */
    public record Plan(long rate, long burst, long dailyQuota, long monthlyQuota) {}

    /**
     * Redis for the gateway's shared state.
     *
     * @param url        redis://HOST:PORT
     * @param timeoutMs  command timeout
     * @param failClosed when Redis is unreachable: false = throttle with a local per-instance bucket, skip
     *                   quotas and the deny list (availability first); true = answer 503
     * @param retryMs    after a Redis failure, how long to use the fallback before trying Redis again
     * @param denyListCacheMs a "not revoked" answer is reused this long (a revocation reaches every
     *                   gateway within it); 0 = ask Redis on every request
     * @param throttleSyncMs 0 = every take goes to Redis (concurrent takes on one bucket batched): exact.
     *                   Above 0, each instance may take up to rate × syncMs / 1000 tokens of a bucket locally
     *                   and syncs at least this often: far fewer Redis calls, and the total may exceed the
     *                   limit by up to that many tokens per instance. Only when {@code throttleLeaseMs} is 0.
     * @param throttleLeaseMs above 0 (the default): each instance takes a bucket's tokens from Redis in leases
     *                   valid this long, sized to its own recent rate; the bucket's upper bound stays exact
     *                   ({@link RedisTokenLeases}). 0 = Bucket4j takes as {@code throttleSyncMs} says
     * @param throttleMaxLeaseTokens the most tokens one lease takes
     */
    public record Redis(String url, long timeoutMs, boolean failClosed, long retryMs, long denyListCacheMs,
                        long throttleSyncMs, long throttleLeaseMs, long throttleMaxLeaseTokens) {
        public static final long DEFAULT_LEASE_MS = 10;
        public static final long DEFAULT_MAX_LEASE_TOKENS = 1_000;

        public Redis {
            if (throttleLeaseMs < 0) throw new IllegalArgumentException("gateway.throttleLeaseMs must be 0 or more, got " + throttleLeaseMs);
            if (throttleMaxLeaseTokens < 1) {
                throw new IllegalArgumentException("gateway.throttleMaxLeaseTokens must be at least 1, got " + throttleMaxLeaseTokens);
            }
        }

        public Redis(String url, long timeoutMs, boolean failClosed, long retryMs) {
            this(url, timeoutMs, failClosed, retryMs, 500, 0, DEFAULT_LEASE_MS, DEFAULT_MAX_LEASE_TOKENS);
        }
    }

    /**
     * API key lookup: keys are stored hashed (SHA-256) by the auth service; the gateway asks it and
     * caches the answer.
     *
     * @param lookupUrl    the auth service's lookup endpoint, {@code http://HOST:PORT/internal/apikeys}
     * @param cacheSeconds how long a lookup is trusted (a revoked key works for at most this long)
     * @param timeoutMs    the lookup must answer within this
     */
    public record ApiKeys(String lookupUrl, long cacheSeconds, long timeoutMs) {}

    /** Origins allowed to call the API from a browser (the console), and how long a preflight is cached. */
    public record Cors(List<String> origins, long maxAgeSeconds) {
        public static Cors none() {
            return new Cors(List.of(), 600);
        }
    }

    /**
     * JWT verification (seed: keys cached 300 s).
     *
     * @param jwksUrl                   where the auth service publishes its keys
     * @param issuer                    required {@code iss}
     * @param audience                  required in {@code aud}
     * @param keyCacheTtlSeconds        how long fetched keys are trusted before refetching
     * @param minRefetchIntervalSeconds an unknown {@code kid} refetches at most this often
     * @param clockSkewSeconds          tolerance on {@code exp} and {@code nbf}
     * @param fetchTimeoutMs            the JWKS fetch must answer within this
     * @param verifiedCacheSeconds      a token whose signature was verified is trusted this long without
     *                                  verifying it again (expiry and deny list are still checked); 0 = off
     */
    public record Jwt(String jwksUrl, String issuer, String audience, long keyCacheTtlSeconds,
                      long minRefetchIntervalSeconds, long clockSkewSeconds, long fetchTimeoutMs,
                      long verifiedCacheSeconds) {
        public Jwt(String jwksUrl, String issuer, String audience, long keyCacheTtlSeconds,
                   long minRefetchIntervalSeconds, long clockSkewSeconds, long fetchTimeoutMs) {
            this(jwksUrl, issuer, audience, keyCacheTtlSeconds, minRefetchIntervalSeconds, clockSkewSeconds,
                    fetchTimeoutMs, 60);
        }

        public static Jwt defaults(String jwksUrl) {
            return new Jwt(jwksUrl, "https://auth.requestflow.test", "requestflow-api", 300, 30, 30, 2_000, 60);
        }
    }
}
