package io.requestflow.gateway;

import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;

import java.util.concurrent.CompletableFuture;

/**
 * Cross-origin access for the console: preflights from an allowed origin get 204 with the allowed
 * methods and headers; other origins get no CORS headers (and a 403 preflight), so browsers block them.
 * Credentials are never allowed: the API takes Bearer tokens, not cookies.
 */
public final class CorsStage implements Stage {
    static final String METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE";
    static final String HEADERS = "authorization, content-type, x-api-key, x-request-id, traceparent, idempotency-key";
    static final String EXPOSED = "ratelimit-limit, ratelimit-remaining, ratelimit-reset, retry-after, server-timing, x-request-id";

    private final GatewayConfig.Cors config;

    public CorsStage(GatewayConfig.Cors config) {
        this.config = config;
    }

    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        String origin = exchange.request().header("origin");
        boolean allowed = origin != null && config.origins().contains(origin);
        boolean preflight = "OPTIONS".equals(exchange.request().method())
                && exchange.request().header("access-control-request-method") != null;
        if (preflight) {
            exchange.describe("PREFLIGHT");
            if (!allowed) return Stage.answer(Problem.forbidden("origin " + origin + " may not call this API"));
            Response r = Response.empty(204)
                    .header("access-control-allow-origin", origin)
                    .header("access-control-allow-methods", METHODS)
                    .header("access-control-allow-headers", HEADERS)
                    .header("access-control-max-age", config.maxAgeSeconds())
                    .header("vary", "Origin");
            return Stage.answer(r);
        }
        return next.proceed(exchange).thenApply(response -> {
            if (allowed) {
                response.headers().set("access-control-allow-origin", origin);
                response.headers().set("access-control-expose-headers", EXPOSED);
            }
            if (!config.origins().isEmpty()) response.headers().add("vary", "Origin");
            return response;
        });
    }
}
