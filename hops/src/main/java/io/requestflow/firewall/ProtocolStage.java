package io.requestflow.firewall;

import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Hard protocol limits, before anything else looks at the request: the method allow-list (405), the
 * request target's length (414), the number of header fields and the size of any one (431).
 */
public final class ProtocolStage implements Stage {
    private final Set<String> methods;
    private final int maxUriBytes;
    private final int maxHeaders;
    private final int maxHeaderBytes;

    public ProtocolStage(List<String> methods, int maxUriBytes, int maxHeaders, int maxHeaderBytes) {
        this.methods = Set.copyOf(methods);
        this.maxUriBytes = maxUriBytes;
        this.maxHeaders = maxHeaders;
        this.maxHeaderBytes = maxHeaderBytes;
    }

    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        var request = exchange.request();
        if (!methods.contains(request.method())) {
            exchange.describe("METHOD");
            Response r = Problem.of(405, "Method Not Allowed", "the firewall does not allow this method",
                    Map.of("requestId", exchange.requestId()));
            r.headers().set("allow", String.join(", ", methods.stream().sorted().toList()));
            return Stage.answer(r);
        }
        if (request.uri().length() > maxUriBytes) {
            exchange.describe("URI_TOO_LONG");
            return Stage.answer(Problem.of(414, "URI Too Long", "the request target is longer than "
                    + maxUriBytes + " bytes"));
        }
        if (request.headers().size() > maxHeaders) {
            exchange.describe("HEADERS");
            return Stage.answer(Problem.of(431, "Request Header Fields Too Large", "more than " + maxHeaders
                    + " header fields"));
        }
        for (Map.Entry<String, String> h : request.headers()) {
            if (h.getKey().length() + h.getValue().length() > maxHeaderBytes) {
                exchange.describe("HEADERS");
                return Stage.answer(Problem.of(431, "Request Header Fields Too Large", "a header field is longer"
                        + " than " + maxHeaderBytes + " bytes"));
            }
        }
        return next.proceed(exchange);
    }
}
