package io.requestflow.gateway;

import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * On routes that need an API key: looks up {@code x-api-key} and passes the key's id and plan on in
 * {@link IdentityHeaders}. 401 for a missing, unknown or revoked key; 503 when the lookup fails. The key
 * itself is never forwarded to a service, on any route.
 */
public final class ApiKeyStage implements Stage {
    /** The resolved key, for the plan stage. */
    public static final String KEY = "gateway.apikey";

    private final ApiKeyResolver resolver;
    private final Map<String, GatewayConfig.Plan> plans;

    public ApiKeyStage(ApiKeyResolver resolver, Map<String, GatewayConfig.Plan> plans) {
        this.resolver = resolver;
        this.plans = plans;
    }

    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        GatewayConfig.Route route = exchange.attribute(RouteStage.ROUTE);
        String presented = exchange.request().header("x-api-key");
        exchange.request().headers().remove("x-api-key"); // a secret: never passed to services, on any route
        if (route == null || !route.requiresApiKey()) return next.proceed(exchange);
        if (presented == null || presented.isBlank() || presented.length() > 200) {
            return deny(exchange, "an API key is required for " + route.prefix() + " (header x-api-key)");
        }
        if (resolver == null) return deny(exchange, "API keys are not configured on this gateway");
        return resolver.resolve(presented.trim()).handle((key, error) -> {
            if (error != null) {
                exchange.describe("APIKEY_LOOKUP_FAILED");
                return Stage.answer(Problem.of(503, "Service Unavailable",
                        "gateway: cannot check API keys right now", Map.of("requestId", exchange.requestId())));
            }
            if (key == null) return deny(exchange, "the API key is unknown or revoked");
            if (!plans.containsKey(key.plan())) {
                exchange.describe("FORBIDDEN");
                return Stage.answer(Problem.forbidden("the API key's usage plan '" + key.plan() + "' is not offered here"));
            }
            exchange.attribute(KEY, key);
            exchange.request().headers().set(IdentityHeaders.API_KEY_ID, key.id());
            exchange.request().headers().set(IdentityHeaders.API_PLAN, key.plan());
            return next.proceed(exchange);
        }).thenCompose(f -> f);
    }

    private static CompletableFuture<Response> deny(Exchange exchange, String detail) {
        exchange.describe("UNAUTHORIZED");
        Response r = Problem.of(401, "Unauthorized", detail);
        r.headers().set("www-authenticate", "ApiKey header=\"x-api-key\"");
        return Stage.answer(r);
    }
}
