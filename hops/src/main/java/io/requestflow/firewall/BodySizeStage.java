package io.requestflow.firewall;

import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;

import java.util.concurrent.CompletableFuture;

/** 413 for a request body over the limit, judged by the bytes received and the declared length. */
public final class BodySizeStage implements Stage {
    private final long maxBodyBytes;

    public BodySizeStage(long maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        long declared = declaredLength(exchange.request().header("content-length"));
        long size = Math.max(declared, exchange.request().body().length);
        if (size > maxBodyBytes) {
            exchange.describe("TOO_LARGE");
            return Stage.answer(Problem.of(413, "Content Too Large",
                    "request body of " + size + " bytes exceeds the firewall limit of " + maxBodyBytes + " bytes"));
        }
        return next.proceed(exchange);
    }

    private static long declaredLength(String value) {
        if (value == null) return 0;
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
