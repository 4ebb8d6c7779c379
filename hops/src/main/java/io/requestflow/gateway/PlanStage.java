package io.requestflow.gateway;

import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Applies an API key's usage plan: its token bucket (shared by all gateway instances), then its daily
 * and monthly quotas. 429 with {@code Retry-After} and {@code RateLimit-*} when either runs out.
 */
public final class PlanStage implements Stage {
    private final Map<String, GatewayConfig.Plan> plans;
    private final Throttler throttler;
    private final QuotaCounter quotas;

    public PlanStage(Map<String, GatewayConfig.Plan> plans, Throttler throttler, QuotaCounter quotas) {
        this.plans = plans;
        this.throttler = throttler;
        this.quotas = quotas;
    }

    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        ApiKeyResolver.ApiKey key = exchange.attribute(ApiKeyStage.KEY);
        if (key == null) return next.proceed(exchange);
        GatewayConfig.Plan plan = plans.get(key.plan());
        String bucket = "key:" + key.id();
        Throttler.Decision now = throttler.tryTakeNow(bucket, plan.rate(), plan.burst());
        if (now != null) return decided(exchange, next, key, plan, now, false, 0);
        long start = System.nanoTime();
        return throttler.take(bucket, plan.rate(), plan.burst()).thenCompose(d -> decided(exchange, next, key, plan, d, true, start));
    }

    private CompletableFuture<Response> decided(Exchange exchange, Chain next, ApiKeyResolver.ApiKey key,
                                                GatewayConfig.Plan plan, Throttler.Decision d, boolean waited, long start) {
        Throttler.recordIn(exchange, d, waited, start);
        if (!d.allowed()) {
            exchange.describe("THROTTLED");
            return Stage.answer(RateLimitHeaders.refused(d, "API key " + key.id() + " exceeded plan '" + key.plan()
                    + "' (" + plan.rate() + "/s, burst " + plan.burst() + ")", exchange.requestId()));
        }
        return quotas.count(key.id(), plan).thenCompose(usage -> {
            if (usage.exceeded() != null) {
                exchange.describe("QUOTA_EXCEEDED");
                Response r = Problem.of(429, "Too Many Requests", "API key " + key.id() + " used its "
                        + ("day".equals(usage.exceeded()) ? "daily quota of " + plan.dailyQuota()
                        : "monthly quota of " + plan.monthlyQuota()) + " requests",
                        Map.of("requestId", exchange.requestId()));
                r.headers().set("retry-after", usage.retryAfterSeconds());
                return Stage.answer(r);
            }
            return next.proceed(exchange).thenApply(response -> {
                RateLimitHeaders.add(response, d);
                return response;
            });
        });
    }
}
