package io.requestflow.gateway;

import io.requestflow.engine.net.HostPort;

import java.util.List;

/**
 * The gateway hop's policy settings: its route table and how it verifies tokens.
 */
public record GatewayConfig(List<Route> routes, Jwt jwt) {

    /**
     * One route: requests whose path is {@code prefix} or below it (segment-wise) go to {@code upstream}.
     *
     * @param prefix    path prefix, matched on segment boundaries; the longest match wins
     * @param service   the service's name, shown in Server-Timing and errors
     * @param upstream  the service address, HOST:PORT
     * @param auth      {@code none} or {@code jwt}
     * @param scopes    scopes a token must carry on a {@code jwt} route (403 otherwise)
     * @param timeoutMs how long the service may take (504 after it); null = the client default
     */
    public record Route(String prefix, String service, String upstream, String auth, List<String> scopes,
                        Long timeoutMs) {
        public boolean requiresJwt() {
            return "jwt".equalsIgnoreCase(auth);
        }

        public HostPort upstreamAddress() {
            return HostPort.parse(upstream);
        }

        public List<String> requiredScopes() {
            return scopes == null ? List.of() : scopes;
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
     */
    public record Jwt(String jwksUrl, String issuer, String audience, long keyCacheTtlSeconds,
                      long minRefetchIntervalSeconds, long clockSkewSeconds, long fetchTimeoutMs) {
        public static Jwt defaults(String jwksUrl) {
            return new Jwt(jwksUrl, "https://auth.requestflow.test", "requestflow-api", 300, 30, 30, 2_000);
        }
    }
}
