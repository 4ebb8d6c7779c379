package io.requestflow.firewall;

import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.Cidr;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.firewall.waf.normalize.Normalizer;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Private endpoints: paths reachable only from given ranges (for example /admin from the office). The
 * path is decoded and dot segments resolved first, so /public/../admin is /admin.
 */
public final class PrivateRouteStage implements Stage {

    /** A path prefix and the ranges allowed to reach it. */
    public record Route(String pathPrefix, List<Cidr> allow) {}

    private final List<Route> routes;

    public PrivateRouteStage(List<Route> routes) {
        this.routes = routes;
    }

    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        if (routes.isEmpty()) return next.proceed(exchange);
        String uri = exchange.request().uri();
        int q = uri.indexOf('?');
        String path = Normalizer.removeDotSegments(Normalizer.decodeRepeatedly(q < 0 ? uri : uri.substring(0, q)));
        InetAddress client = exchange.attribute(ClientAddressStage.CLIENT);
        for (Route route : routes) {
            if (matches(path, route.pathPrefix()) && (client == null || !Cidr.anyContains(route.allow(), client))) {
                exchange.describe("PRIVATE");
                return Stage.answer(Problem.of(403, "Forbidden", "this endpoint is not reachable from your address",
                        Map.of("requestId", exchange.requestId())));
            }
        }
        return next.proceed(exchange);
    }

    private static boolean matches(String path, String prefix) {
        String p = path.toLowerCase(java.util.Locale.ROOT);
        String x = prefix.toLowerCase(java.util.Locale.ROOT);
        return p.equals(x) || p.startsWith(x.endsWith("/") ? x : x + "/") || (x.endsWith("/") && p.startsWith(x));
    }
}
