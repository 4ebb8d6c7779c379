package io.requestflow.gateway;

import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A route's own token bucket: one for the route, one per caller (token subject, API key, or else the
 * client address) or one per client address, as the route's {@code throttle.per} says.
 */
public final class ThrottleStage implements Stage {
    private final Throttler throttler;
    /** {@code route:PREFIX} per route prefix, built once: the whole key of a per-route bucket. */
    private final Map<String, String> routeKeys = new ConcurrentHashMap<>();

    public ThrottleStage(Throttler throttler) {
        this.throttler = throttler;
    }

    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        GatewayConfig.Route route = exchange.attribute(RouteStage.ROUTE);
        GatewayConfig.Throttle t = route == null ? null : route.throttle();
        if (t == null) return next.proceed(exchange);
        String routeKey = routeKeys.computeIfAbsent(route.prefix(), prefix -> "route:" + prefix);
        String key = switch (t.per()) {
            case "user" -> routeKey + "|" + caller(exchange);
            case "client" -> routeKey + "|ip:" + clientAddress(exchange);
            default -> routeKey;
        };
        Throttler.Decision now = throttler.tryTakeNow(key, t.rate(), t.burst());
        if (now != null) return decided(exchange, next, route, t, now, false, 0);
        long start = System.nanoTime();
        return throttler.take(key, t.rate(), t.burst()).thenCompose(d -> decided(exchange, next, route, t, d, true, start));
    }

    private static CompletableFuture<Response> decided(Exchange exchange, Chain next, GatewayConfig.Route route,
                                                       GatewayConfig.Throttle t, Throttler.Decision d, boolean waited, long start) {
        Throttler.recordIn(exchange, d, waited, start);
        if (!d.allowed()) {
            exchange.describe("THROTTLED");
            return Stage.answer(RateLimitHeaders.refused(d, "rate limit of " + t.rate() + "/s (burst " + t.burst()
                    + ") per " + t.per() + " on " + route.prefix() + " exceeded", exchange.requestId()));
        }
        return next.proceed(exchange).thenApply(response -> {
            if (!response.headers().contains(RateLimitHeaders.LIMIT)) RateLimitHeaders.add(response, d);
            return response;
        });
    }

    private static String caller(Exchange exchange) {
        String subject = exchange.attribute(JwtAuthStage.SUBJECT);
        if (subject != null) return subject;
        ApiKeyResolver.ApiKey key = exchange.attribute(ApiKeyStage.KEY);
        if (key != null) return "key:" + key.id();
        return "ip:" + clientAddress(exchange);
    }

    /** The address the edge recorded (the right-most X-Forwarded-For entry), else the peer. */
    static String clientAddress(Exchange exchange) {
        String forwarded = exchange.request().header("x-forwarded-for");
        if (forwarded != null && !forwarded.isBlank()) return forwarded.substring(forwarded.lastIndexOf(',') + 1).trim();
        InetSocketAddress remote = exchange.request().remote();
        return remote == null ? "unknown" : remote.getAddress().getHostAddress();
    }
}
