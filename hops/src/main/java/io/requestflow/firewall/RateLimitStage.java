package io.requestflow.firewall;

import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.firewall.ratelimit.RateLimiter;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Per-client sliding-window rate limit: 429 with Retry-After over the limit; the share used feeds the bot signal. */
public final class RateLimitStage implements Stage {
    public static final String SHARE = "firewall.rateShare";

    private final RateLimiter limiter;

    public RateLimitStage(RateLimiter limiter) {
        this.limiter = limiter;
    }

    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        InetAddress client = exchange.attribute(ClientAddressStage.CLIENT);
        String key = client == null ? "unknown" : client.getHostAddress();
        return limiter.hit(key, System.currentTimeMillis()).thenCompose(d -> {
            exchange.attribute(SHARE, d.share());
            if (d.allowed()) return next.proceed(exchange);
            exchange.describe("RATE_LIMITED");
            Response r = Problem.of(429, "Too Many Requests", "more than " + d.limit()
                    + " requests in the window from this client; retry after " + d.retryAfterSeconds() + " s",
                    Map.of("requestId", exchange.requestId()));
            r.headers().set("retry-after", Long.toString(d.retryAfterSeconds()));
            return Stage.answer(r);
        });
    }
}
