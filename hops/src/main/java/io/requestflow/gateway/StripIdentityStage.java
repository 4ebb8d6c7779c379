package io.requestflow.gateway;

import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;

import java.util.concurrent.CompletableFuture;

/** Removes identity headers a client sent, so only a verified token can produce them. */
public final class StripIdentityStage implements Stage {
    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        for (String name : IdentityHeaders.ALL) exchange.request().headers().remove(name);
        return next.proceed(exchange);
    }
}
