package io.requestflow.engine.pipeline;

import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Response;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * An ordered list of stages; the request enters at the first, the response comes back through them
 * in reverse. The last stage must answer (forward upstream or serve locally).
 */
public final class Pipeline {
    private final List<Stage> stages;

    public Pipeline(List<Stage> stages) {
        if (stages.isEmpty()) throw new IllegalArgumentException("a pipeline needs at least one stage");
        this.stages = List.copyOf(stages);
    }

    public List<Stage> stages() {
        return stages;
    }

    public CompletableFuture<Response> execute(Exchange exchange) {
        return proceed(0, exchange);
    }

    private CompletableFuture<Response> proceed(int index, Exchange exchange) {
        if (index >= stages.size()) {
            return CompletableFuture.completedFuture(Problem.internal("no stage answered the request"));
        }
        try {
            CompletableFuture<Response> result = stages.get(index).handle(exchange, ex -> proceed(index + 1, ex));
            return result != null ? result
                    : CompletableFuture.failedFuture(new IllegalStateException(
                            stages.get(index).getClass().getSimpleName() + " returned no response"));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
