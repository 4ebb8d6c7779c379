package io.requestflow.gateway;

import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;

import java.util.concurrent.CompletableFuture;

/** Chooses the route for the request (404 when none matches, 405 when only the method does not); later stages act on it. */
public final class RouteStage implements Stage {
    public static final String ROUTE = "gateway.route";

    private final RouteTable table;

    public RouteStage(RouteTable table) {
        this.table = table;
    }

    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        RouteTable.Match match = table.match(exchange.request());
        if (!match.found()) {
            if (!match.allowedMethods().isEmpty()) {
                exchange.describe("METHOD_NOT_ALLOWED");
                Response r = Problem.of(405, "Method Not Allowed", exchange.request().method() + " is not allowed on "
                        + exchange.request().path());
                r.headers().set("allow", String.join(", ", match.allowedMethods()));
                return Stage.answer(r);
            }
            exchange.describe("NO_ROUTE");
            return Stage.answer(Problem.notFound("no API route for " + exchange.request().path()));
        }
        exchange.attribute(ROUTE, match.route());
        exchange.describe(match.route().service());
        return next.proceed(exchange);
    }
}
