package io.requestflow.engine.server;

import io.requestflow.engine.http.Request;
import io.requestflow.engine.http.Response;

import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/** What a listener does with each complete request. */
@FunctionalInterface
public interface RequestHandler {
    CompletableFuture<Response> handle(Request request);

    /**
     * The same answer handed to {@code done} (a response, or the error that took its place) on the thread that has
     * it, which the listener uses. By default through {@link #handle(Request)}'s future; a handler that has its answer
     * as a callback anyway (an HTTP hop) overrides it: no future and no dependent stage per request.
     */
    default void handle(Request request, BiConsumer<Response, Throwable> done) {
        CompletableFuture<Response> answer;
        try {
            answer = handle(request);
        } catch (RuntimeException e) {
            done.accept(null, e);
            return;
        }
        answer.whenComplete(done);
    }
}
