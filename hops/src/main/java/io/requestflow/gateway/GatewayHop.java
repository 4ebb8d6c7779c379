package io.requestflow.gateway;

import io.requestflow.engine.client.ClientConfig;
import io.requestflow.engine.hop.HopContext;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.engine.proxy.Forwarder;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The gateway: "who is this, may they, how much, which service?" Secure the response, answer CORS,
 * route, check the body, identify the caller (JWT or API key), apply the key's plan and the route's
 * bucket, forward.
 */
public final class GatewayHop {
    private GatewayHop() {}

    public static List<Stage> stages(GatewayConfig config, HopContext context, ClientConfig clientConfig) {
        return stages(config, context, clientConfig, Clock.systemUTC());
    }

    /** {@code clock} decides quota periods (tests move it across midnight). */
    public static List<Stage> stages(GatewayConfig config, HopContext context, ClientConfig clientConfig, Clock clock) {
        var client = context.client(clientConfig);
        GatewayRedis redis = config.redis() == null ? null
                : context.own(new GatewayRedis(config.redis(), context.registry()));
        boolean failClosed = redis != null && config.redis().failClosed();
        List<Stage> stages = new ArrayList<>(List.of(
                new StripIdentityStage(),
                new SecurityHeadersStage(),
                new CorsStage(config.cors() == null ? GatewayConfig.Cors.none() : config.cors()),
                new RouteStage(new RouteTable(config.routes())),
                new RequestHygieneStage(),
                new JwtAuthStage(new JwksCache(client, config.jwt()), new TokenVerifier(config.jwt()),
                        redis == null ? null : new RevocationList(redis, config.redis().denyListCacheMs()), failClosed,
                        new VerifiedTokens(config.jwt().verifiedCacheSeconds())),
                new ApiKeyStage(config.apiKeys() == null ? null : new ApiKeyResolver(client, config.apiKeys()),
                        config.plans())));
        Throttler throttler = new Throttler(redis, context.registry());
        stages.add(new PlanStage(config.plans(), throttler, new QuotaCounter(redis, clock)));
        stages.add(new ThrottleStage(throttler));
        stages.add(new RouteForwardStage(new Forwarder(client)));
        return List.copyOf(stages);
    }
}
