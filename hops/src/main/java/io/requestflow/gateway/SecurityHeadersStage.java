package io.requestflow.gateway;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;

import java.util.concurrent.CompletableFuture;

/**
 * Security headers on every API response, including the gateway's own errors: no MIME sniffing, no
 * framing, no referrer, a CSP that allows nothing (API responses are data, not pages), and HSTS when the
 * client came over TLS (the edge says so in {@code X-Forwarded-Proto}). A service's own values are kept,
 * except that responses on routes needing a token or an API key are always {@code private, no-store}.
 */
public final class SecurityHeadersStage implements Stage {
    private static final AsciiString PRIVATE_NO_STORE = AsciiString.cached("private, no-store");

    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        boolean tls = "https".equalsIgnoreCase(exchange.request().header("x-forwarded-proto"));
        return next.proceed(exchange).thenApply(response -> {
            var h = response.headers();
            if (!h.contains("x-content-type-options")) h.set("x-content-type-options", "nosniff");
            if (!h.contains("x-frame-options")) h.set("x-frame-options", "DENY");
            if (!h.contains("referrer-policy")) h.set("referrer-policy", "no-referrer");
            if (!h.contains("content-security-policy")) h.set("content-security-policy", "default-src 'none'; frame-ancestors 'none'");
            if (tls && !h.contains("strict-transport-security")) h.set("strict-transport-security", "max-age=31536000; includeSubDomains");
            GatewayConfig.Route route = exchange.attribute(RouteStage.ROUTE);
            if (route != null && (route.requiresJwt() || route.requiresApiKey())) {
                // an answer given to an identified caller must never come out of a shared cache (the edge)
                // for someone else, whatever the service said
                h.set(HttpHeaderNames.CACHE_CONTROL, PRIVATE_NO_STORE);
            }
            return response;
        });
    }
}
