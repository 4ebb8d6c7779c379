package io.requestflow.engine.pipeline;

import io.requestflow.engine.http.Response;

import java.util.concurrent.CompletableFuture;

/**
 * One step of a hop's policy. A stage either answers the request itself (a cache hit, a 403, a 429)
 * or calls {@code next.proceed(exchange)} and may then work on the response coming back.
 * A stage is one class, named for what it does, and holds no connection code.
 */
@FunctionalInterface
public interface Stage {
    CompletableFuture<Response> handle(Exchange exchange, Chain next);

    /** Convenience for stages that answer without going further. */
    static CompletableFuture<Response> answer(Response response) {
        return CompletableFuture.completedFuture(response);
    }
}
