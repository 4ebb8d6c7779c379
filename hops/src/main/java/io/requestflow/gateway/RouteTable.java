package io.requestflow.gateway;

import io.requestflow.engine.http.Request;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Finds the route for a request. The path must start with the route's prefix on segment boundaries
 * ({@code {name}} matches any one segment); then host, header and method predicates must hold. The most
 * specific route wins: more prefix segments first, then literal over template segments, then routes
 * with more predicates.
 */
public final class RouteTable {
    /** The outcome: a route, or why none fits. */
    public record Match(GatewayConfig.Route route, List<String> allowedMethods) {
        public boolean found() {
            return route != null;
        }
    }

    private record Compiled(GatewayConfig.Route route, String[] segments, int literals, int predicates) {}

    private final List<Compiled> routes;

    public RouteTable(List<GatewayConfig.Route> routes) {
        this.routes = routes.stream()
                .map(r -> {
                    String[] segments = split(r.prefix());
                    int literals = 0;
                    for (String s : segments) if (!isTemplate(s)) literals++;
                    int predicates = (r.host() != null ? 1 : 0) + r.headers().size() + (r.methods().isEmpty() ? 0 : 1);
                    return new Compiled(r, segments, literals, predicates);
                })
                .sorted(Comparator.comparingInt((Compiled c) -> c.segments().length)
                        .thenComparingInt(Compiled::literals)
                        .thenComparingInt(Compiled::predicates).reversed())
                .toList();
    }

    /** Path-only match (for tests and tools): the first route whose prefix covers the path. */
    public GatewayConfig.Route match(String path) {
        String[] parts = split(path);
        for (Compiled c : routes) if (prefixMatches(c.segments(), parts)) return c.route();
        return null;
    }

    public Match match(Request request) {
        String[] parts = split(request.path());
        String host = request.host();
        List<String> allowed = new java.util.ArrayList<>();
        for (Compiled c : routes) {
            GatewayConfig.Route r = c.route();
            if (!prefixMatches(c.segments(), parts)) continue;
            if (r.host() != null && !r.host().equalsIgnoreCase(host)) continue;
            if (!headersMatch(r.headers(), request)) continue;
            if (!r.methods().isEmpty() && !r.methods().contains(request.method())) {
                allowed.addAll(r.methods());
                continue;
            }
            return new Match(r, List.of());
        }
        return new Match(null, allowed.stream().distinct().toList());
    }

    /**
     * The path the service sees: the matched prefix replaced by the route's rewrite (where a template
     * segment such as {@code {id}} takes the matched value), the rest of the path and the query kept.
     */
    public static String rewrite(GatewayConfig.Route route, Request request) {
        if (route.rewrite() == null) return request.uri();
        String[] prefix = split(route.prefix());
        String[] parts = split(request.path());
        String target = route.rewrite();
        for (int i = 0; i < prefix.length; i++) {
            if (isTemplate(prefix[i])) target = target.replace(prefix[i], parts[i]); // {id} in the rewrite takes the value
        }
        StringBuilder path = new StringBuilder(target.endsWith("/") && target.length() > 1
                ? target.substring(0, target.length() - 1) : target);
        for (int i = prefix.length; i < parts.length; i++) path.append('/').append(parts[i]);
        if (path.isEmpty()) path.append('/');
        if (request.path().endsWith("/") && parts.length > prefix.length) path.append('/');
        String uri = request.uri();
        int q = uri.indexOf('?');
        return q >= 0 ? path + uri.substring(q) : path.toString();
    }

    private static boolean headersMatch(Map<String, String> wanted, Request request) {
        for (var e : wanted.entrySet()) {
            String value = request.header(e.getKey());
            if (value == null) return false;
            if (!e.getValue().equals("*") && !e.getValue().equals(value)) return false;
        }
        return true;
    }

    private static boolean prefixMatches(String[] prefix, String[] parts) {
        if (parts.length < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) {
            if (isTemplate(prefix[i])) {
                if (parts[i].isEmpty()) return false;
            } else if (!prefix[i].equals(parts[i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean isTemplate(String segment) {
        return segment.length() > 2 && segment.startsWith("{") && segment.endsWith("}");
    }

    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }

    public List<GatewayConfig.Route> routes() {
        return routes.stream().map(Compiled::route).toList();
    }
}
