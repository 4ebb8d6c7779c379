package io.requestflow.engine.pipeline;

import io.requestflow.engine.http.Response;

import java.util.concurrent.CompletableFuture;

/** The rest of the pipeline after the current stage. */
@FunctionalInterface
public interface Chain {
    CompletableFuture<Response> proceed(Exchange exchange);
}
