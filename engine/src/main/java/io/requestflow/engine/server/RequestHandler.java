package io.requestflow.engine.server;

import io.requestflow.engine.http.Request;
import io.requestflow.engine.http.Response;

import java.util.concurrent.CompletableFuture;

/** What a listener does with each complete request. */
@FunctionalInterface
public interface RequestHandler {
    CompletableFuture<Response> handle(Request request);
}
