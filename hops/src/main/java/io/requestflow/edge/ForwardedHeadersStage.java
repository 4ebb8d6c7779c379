package io.requestflow.edge;

import io.requestflow.engine.http.Request;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;

import java.util.concurrent.CompletableFuture;

/**
 * Tells the origin who the viewer is: appends the client address to {@code X-Forwarded-For} and sets
 * {@code X-Forwarded-Proto} ({@code https} for requests that arrived over TLS) and {@code X-Forwarded-Host}. Later hops trust only the entry the edge added.
 */
public final class ForwardedHeadersStage implements Stage {
    private final String scheme;

    public ForwardedHeadersStage(String scheme) {
        this.scheme = scheme;
    }

    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        Request request = exchange.request();
        String client = request.remote() == null ? "unknown" : request.remote().getAddress().getHostAddress();
        String prior = request.header("x-forwarded-for");
        request.headers().set("x-forwarded-for", prior == null || prior.isBlank() ? client : prior + ", " + client);
        request.headers().set("x-forwarded-proto", request.secure() ? "https" : scheme);
        String host = request.header("host");
        if (host != null) request.headers().set("x-forwarded-host", host);
        return next.proceed(exchange);
    }
}
