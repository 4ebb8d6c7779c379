package io.requestflow.services;

import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Answers a database outage with 503 and a readable detail instead of a 500. */
public final class ServiceErrors implements Stage {
    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        return next.proceed(exchange).exceptionallyCompose(error -> {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof Sql.DatabaseUnavailable) {
                exchange.describe("DB_UNAVAILABLE");
                return Stage.answer(Problem.of(503, "Service Unavailable",
                        exchange.hop() + ": the database is unavailable; try again shortly",
                        Map.of("requestId", exchange.requestId())));
            }
            return CompletableFuture.failedFuture(cause);
        });
    }
}
