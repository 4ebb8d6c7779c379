package io.requestflow.gateway;

import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.engine.proxy.Forwarder;

import java.util.concurrent.CompletableFuture;

/** Forwards to the chosen route's service, with the route's path rewrite and timeout. */
public final class RouteForwardStage implements Stage {
    private final Forwarder forwarder;

    public RouteForwardStage(Forwarder forwarder) {
        this.forwarder = forwarder;
    }

    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        GatewayConfig.Route route = exchange.attribute(RouteStage.ROUTE);
        if (route.rewrite() != null) exchange.request(exchange.request().withUri(RouteTable.rewrite(route, exchange.request())));
        long timeout = route.timeoutMs() != null ? route.timeoutMs() : forwarder.defaultTimeoutMs();
        return forwarder.forward(exchange, route.upstreamAddress(), timeout);
    }
}
