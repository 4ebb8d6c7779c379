package io.requestflow.edge;

import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/** Answers 421 for a Host this edge does not serve, so misrouted traffic never reaches the origin. */
public final class HostStage implements Stage {
    private final Set<String> hosts;

    public HostStage(java.util.List<String> hosts) {
        this.hosts = hosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        String host = exchange.request().host();
        if (!hosts.contains(host)) {
            return Stage.answer(Problem.of(421, "Misdirected Request",
                    "this edge serves " + String.join(", ", hosts) + "; not '" + host + "'"));
        }
        return next.proceed(exchange);
    }
}
