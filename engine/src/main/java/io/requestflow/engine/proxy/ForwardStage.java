package io.requestflow.engine.proxy;

import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;

import java.util.concurrent.CompletableFuture;

/** The last stage of a proxy hop with one fixed upstream: forwards and returns what comes back. */
public final class ForwardStage implements Stage {
    private final Forwarder forwarder;
    private final HostPort upstream;

    public ForwardStage(Forwarder forwarder, HostPort upstream) {
        this.forwarder = forwarder;
        this.upstream = upstream;
    }

    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        exchange.describe(upstream.toString());
        return forwarder.forward(exchange, upstream, forwarder.defaultTimeoutMs());
    }
}
