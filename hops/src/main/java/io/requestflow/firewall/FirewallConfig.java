package io.requestflow.firewall;

import io.requestflow.firewall.ratelimit.RateLimitConfig;
import io.requestflow.firewall.waf.WafConfig;

import java.util.List;

/**
 * The firewall hop's policy settings.
 *
 * @param deny           CIDR ranges whose clients get 403
 * @param trustedProxies peers whose {@code X-Forwarded-For} is believed (the edge's addresses)
 * @param maxBodyBytes   larger request bodies get 413
 * @param allow          when not empty, only clients in these ranges get in
 * @param privateRoutes  paths reachable only from the given ranges
 * @param allowedMethods other methods get 405
 * @param maxUriBytes    longer request targets get 414
 * @param maxHeaders     more header fields get 431
 * @param maxHeaderBytes a longer header field (name and value) gets 431
 * @param waf            the rules, anomaly scoring and audit log
 * @param rateLimit      the per-client sliding window
 */
public record FirewallConfig(List<String> deny, List<String> trustedProxies, long maxBodyBytes, List<String> allow,
                             List<PrivateRoute> privateRoutes, List<String> allowedMethods, int maxUriBytes,
                             int maxHeaders, int maxHeaderBytes, WafConfig waf, RateLimitConfig rateLimit) {

    /** A path prefix reachable only from {@code allow}. */
    public record PrivateRoute(String pathPrefix, List<String> allow) {
        public PrivateRoute {
            allow = allow == null ? List.of() : allow;
        }
    }

    public static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    /** The network rules only, with default protocol limits, WAF and rate limit. */
    public FirewallConfig(List<String> deny, List<String> trustedProxies, long maxBodyBytes) {
        this(deny, trustedProxies, maxBodyBytes, List.of(), List.of(), METHODS, 4096, 64, 8192, WafConfig.defaults(),
                RateLimitConfig.defaults());
    }

    public static FirewallConfig defaults() {
        return new FirewallConfig(List.of("192.0.2.0/24", "2001:db8::/32"), List.of("127.0.0.0/8", "::1/128"),
                1024 * 1024);
    }

    public FirewallConfig withWaf(WafConfig newWaf) {
        return new FirewallConfig(deny, trustedProxies, maxBodyBytes, allow, privateRoutes, allowedMethods, maxUriBytes,
                maxHeaders, maxHeaderBytes, newWaf, rateLimit);
    }

    public FirewallConfig withRateLimit(RateLimitConfig newRateLimit) {
        return new FirewallConfig(deny, trustedProxies, maxBodyBytes, allow, privateRoutes, allowedMethods, maxUriBytes,
                maxHeaders, maxHeaderBytes, waf, newRateLimit);
    }

    public FirewallConfig withNetwork(List<String> newAllow, List<PrivateRoute> routes) {
        return new FirewallConfig(deny, trustedProxies, maxBodyBytes, newAllow, routes, allowedMethods, maxUriBytes,
                maxHeaders, maxHeaderBytes, waf, rateLimit);
    }
}
