package io.requestflow.dns.health;

import java.net.URI;
import java.time.Duration;

/** One health check of one target: true when the target passes. Must return within the timeout it is given. */
public interface Probe {

    boolean check(Duration timeout);

    /** {@code http://host:port/path} (2xx/3xx passes) or {@code tcp://host:port} (a connect passes). */
    static Probe parse(String url, java.net.http.HttpClient http) {
        URI uri;
        try {
            uri = URI.create(url.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("healthCheck '" + url + "' is not a URL", e);
        }
        if (uri.getHost() == null || uri.getScheme() == null) {
            throw new IllegalArgumentException("healthCheck '" + url + "' needs a scheme and a host");
        }
        return switch (uri.getScheme()) {
            case "http" -> new HttpProbe(uri, http);
            case "tcp" -> {
                if (uri.getPort() < 1) {
                    throw new IllegalArgumentException("healthCheck '" + url + "' needs a port");
                }
                yield new TcpProbe(uri.getHost(), uri.getPort());
            }
            default -> throw new IllegalArgumentException("healthCheck '" + url + "': only http:// and tcp:// checks");
        };
    }
}
