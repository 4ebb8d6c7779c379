package io.requestflow.edge;

import java.util.List;

/**
 * The edge hop's policy settings.
 *
 * @param hosts the host names this edge serves; a request for any other Host gets 421
 */
public record EdgeConfig(List<String> hosts) {

    public static EdgeConfig defaults() {
        return new EdgeConfig(List.of("shop.requestflow.test", "localhost", "127.0.0.1"));
    }
}
