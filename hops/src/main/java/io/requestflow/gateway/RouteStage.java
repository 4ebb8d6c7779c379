package io.requestflow.gateway;

import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;

import java.util.concurrent.CompletableFuture;

/** Chooses the route for the request (404 when none matches); later stages act on it. */
public final class RouteStage implements Stage {
    public static final String ROUTE = "gateway.route";

    private final RouteTable table;

    public RouteStage(RouteTable table) {
        this.table = table;
    }

    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        GatewayConfig.Route route = table.match(exchange.request().path());
        if (route == null) {
            exchange.describe("NO_ROUTE");
            return Stage.answer(Problem.notFound("no API route for " + exchange.request().path()));
        }
        exchange.attribute(ROUTE, route);
        exchange.describe(route.service());
        return next.proceed(exchange);
    }
}
