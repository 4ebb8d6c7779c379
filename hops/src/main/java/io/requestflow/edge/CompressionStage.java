package io.requestflow.edge;

import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;

import java.util.concurrent.CompletableFuture;

/**
 * gzip negotiation at the edge. The origin is asked for identity bodies (Accept-Encoding removed), so
 * the cache stores one representation and compresses it once; responses the cache did not encode are
 * gzipped here on the way out when the client accepts gzip. Compressible responses get
 * {@code Vary: Accept-Encoding} either way, so caches further down keep the forms apart.
 */
public final class CompressionStage implements Stage {
    /** Exchange attribute: Boolean, the client accepts gzip. */
    static final String ACCEPTS_GZIP = "edge.acceptsGzip";
    /**
     * Exchange attribute: set when the response's encoding was already chosen (a stored response whose
     * headers are not {@link StoredHeaders}).
     */
    static final String NEGOTIATED = "edge.encodingNegotiated";

    private final int minBytes;

    public CompressionStage(int minBytes) {
        this.minBytes = minBytes;
    }

    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        boolean accepts = Gzip.accepted(exchange.request().header("accept-encoding"));
        exchange.attribute(ACCEPTS_GZIP, accepts);
        exchange.request().headers().remove("accept-encoding");
        return next.proceed(exchange).thenApply(response -> {
            // the cache served its own stored form
            if (response.headers() instanceof StoredHeaders || exchange.attribute(NEGOTIATED) != null) return response;
            if (!Gzip.compressible(response.headers(), response.body().length, minBytes)) return response;
            Gzip.varyOnEncoding(response.headers());
            if (!accepts || response.status() == 206 || response.status() == 304) return response;
            byte[] gz = Gzip.compress(response.body());
            if (gz.length >= response.body().length) return response;
            response.headers().set("content-encoding", "gzip");
            response.headers().setInt("content-length", gz.length);
            String etag = response.headers().get("etag");
            if (etag != null) response.headers().set("etag", Gzip.weakened(etag));
            return new Response(response.status(), response.headers(), gz);
        });
    }
}
