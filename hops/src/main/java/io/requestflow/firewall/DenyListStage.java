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

/** 403 for clients inside a denied CIDR range; the request goes no further. */
public final class DenyListStage implements Stage {
    private final List<Cidr> deny;

    public DenyListStage(List<Cidr> deny) {
        this.deny = deny;
    }

    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        InetAddress client = exchange.attribute(ClientAddressStage.CLIENT);
        if (client != null && Cidr.anyContains(deny, client)) {
            exchange.describe("DENY");
            return Stage.answer(Problem.of(403, "Forbidden", "requests from this address are not allowed",
                    Map.of("requestId", exchange.requestId())));
        }
        return next.proceed(exchange);
    }
}
