package io.requestflow.firewall;

import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.Cidr;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** When an allow list is set, only clients inside it get in (403 for the rest); an empty list allows all. */
public final class AllowListStage implements Stage {
    private final List<Cidr> allow;

    public AllowListStage(List<Cidr> allow) {
        this.allow = allow;
    }

    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        InetAddress client = exchange.attribute(ClientAddressStage.CLIENT);
        if (!allow.isEmpty() && (client == null || !Cidr.anyContains(allow, client))) {
            exchange.describe("NOT_ALLOWED");
            return Stage.answer(Problem.of(403, "Forbidden", "requests from this address are not allowed",
                    Map.of("requestId", exchange.requestId())));
        }
        return next.proceed(exchange);
    }
}
