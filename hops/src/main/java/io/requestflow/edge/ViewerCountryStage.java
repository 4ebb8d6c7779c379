package io.requestflow.edge;

import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.Cidr;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Tells the origin the viewer's country in {@code X-Viewer-Country}, from the configured CIDR → country
 * table (most specific range wins). A client-sent value is always removed first; an address in no range
 * gets no header.
 */
public final class ViewerCountryStage implements Stage {
    public static final String HEADER = "x-viewer-country";

    private record Range(Cidr cidr, String country) {}

    private final List<Range> ranges;

    public ViewerCountryStage(Map<String, String> countries) {
        List<Range> r = new ArrayList<>();
        countries.forEach((cidr, country) -> r.add(new Range(Cidr.parse(cidr), country)));
        r.sort(Comparator.comparingInt((Range x) -> x.cidr().prefix()).reversed());
        this.ranges = List.copyOf(r);
    }

    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        var request = exchange.request();
        request.headers().remove(HEADER);
        if (request.remote() != null) {
            for (Range range : ranges) {
                if (range.cidr().contains(request.remote().getAddress())) {
                    request.headers().set(HEADER, range.country());
                    break;
                }
            }
        }
        return next.proceed(exchange);
    }
}
