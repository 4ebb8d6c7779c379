package io.requestflow.firewall;

import java.util.List;

/**
 * The firewall hop's policy settings.
 *
 * @param deny           CIDR ranges whose clients get 403
 * @param trustedProxies peers whose {@code X-Forwarded-For} is believed (the edge's addresses)
 * @param maxBodyBytes   larger request bodies get 413
 */
public record FirewallConfig(List<String> deny, List<String> trustedProxies, long maxBodyBytes) {

    public static FirewallConfig defaults() {
        return new FirewallConfig(List.of("192.0.2.0/24", "2001:db8::/32"), List.of("127.0.0.0/8", "::1/128"),
                1024 * 1024);
    }
}
