package io.requestflow.gateway;

import io.requestflow.engine.client.ClientConfig;
import io.requestflow.engine.hop.HopContext;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.engine.proxy.Forwarder;

import java.util.List;

/** The gateway: "who is this, may they, which service?" Route, verify the token, forward. */
public final class GatewayHop {
    private GatewayHop() {}

    public static List<Stage> stages(GatewayConfig config, HopContext context, ClientConfig clientConfig) {
        var client = context.client(clientConfig);
        return List.of(
                new StripIdentityStage(),
                new RouteStage(new RouteTable(config.routes())),
                new JwtAuthStage(new JwksCache(client, config.jwt()), new TokenVerifier(config.jwt())),
                new RouteForwardStage(new Forwarder(client)));
    }
}
