package io.requestflow.gateway;

import java.util.Comparator;
import java.util.List;

/** Finds the route for a path: the longest prefix that matches on a segment boundary. */
public final class RouteTable {
    private final List<GatewayConfig.Route> routes;

    public RouteTable(List<GatewayConfig.Route> routes) {
        this.routes = routes.stream()
                .sorted(Comparator.comparingInt((GatewayConfig.Route r) -> r.prefix().length()).reversed())
                .toList();
    }

    public GatewayConfig.Route match(String path) {
        for (GatewayConfig.Route route : routes) {
            String prefix = route.prefix();
            if (path.equals(prefix) || (path.startsWith(prefix)
                    && (prefix.endsWith("/") || path.charAt(prefix.length()) == '/'))) {
                return route;
            }
        }
        return null;
    }

    public List<GatewayConfig.Route> routes() {
        return routes;
    }
}
