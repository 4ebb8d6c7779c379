package io.requestflow.gateway;

import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;

import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/** A route's body rules: 413 above its size limit, 415 for a body whose media type the route does not take. */
public final class RequestHygieneStage implements Stage {
    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        GatewayConfig.Route route = exchange.attribute(RouteStage.ROUTE);
        if (route == null) return next.proceed(exchange);
        int size = exchange.request().body().length;
        if (route.maxBodyBytes() != null && size > route.maxBodyBytes()) {
            exchange.describe("BODY_TOO_LARGE");
            return Stage.answer(Problem.of(413, "Content Too Large", "bodies on " + route.prefix() + " are limited to "
                    + route.maxBodyBytes() + " bytes; this one has " + size));
        }
        if (size > 0 && !route.contentTypes().isEmpty()) {
            String type = mediaType(exchange.request().header("content-type"));
            if (type == null || route.contentTypes().stream().noneMatch(t -> t.equalsIgnoreCase(type))) {
                exchange.describe("UNSUPPORTED_MEDIA_TYPE");
                Response r = Problem.of(415, "Unsupported Media Type", route.prefix() + " takes "
                        + String.join(", ", route.contentTypes()) + ", not " + (type == null ? "an untyped body" : type));
                r.headers().set("accept-post", String.join(", ", route.contentTypes()));
                return Stage.answer(r);
            }
        }
        return next.proceed(exchange);
    }

    private static String mediaType(String contentType) {
        if (contentType == null) return null;
        int semi = contentType.indexOf(';');
        return (semi >= 0 ? contentType.substring(0, semi) : contentType).trim().toLowerCase(Locale.ROOT);
    }
}
