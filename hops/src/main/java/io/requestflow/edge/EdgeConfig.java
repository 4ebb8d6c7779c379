package io.requestflow.edge;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The edge hop's policy settings.
 *
 * @param hosts           the host names this edge serves; a request for any other Host gets 421
 * @param cache           the HTTP cache
 * @param viewerCountries CIDR → country code for the {@code X-Viewer-Country} header sent to the origin
 */
public record EdgeConfig(List<String> hosts, CacheConfig cache, Map<String, String> viewerCountries) {

    public EdgeConfig(List<String> hosts) {
        this(hosts, CacheConfig.defaults(), defaultCountries());
    }

    public static EdgeConfig defaults() {
        return new EdgeConfig(List.of("shop.requestflow.test", "localhost", "127.0.0.1"));
    }

    /** Loopback viewers are "ZZ" (unknown or unspecified, ISO 3166 user-assigned). */
    public static Map<String, String> defaultCountries() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("127.0.0.0/8", "ZZ");
        m.put("::1/128", "ZZ");
        return m;
    }
}
