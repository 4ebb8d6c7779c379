package io.requestflow.engine.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.ReadOnlyHttpHeaders;
import io.netty.util.AsciiString;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.requestflow.engine.client.UpstreamClient;
import io.requestflow.engine.client.UpstreamException;
import io.requestflow.engine.http.HopByHop;
import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.trace.Tracing;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;

/**
 * Sends the exchange's request to one upstream address the way every proxy hop must: connection
 * headers stripped, {@code X-Request-Id} and {@code traceparent} set, a CLIENT span around the call,
 * and failures turned into 502/503/504 problems. Policy (which upstream, whether to retry) stays with
 * the caller.
 */
public final class Forwarder {
    private static final AsciiString REQUEST_ID = AsciiString.cached("x-request-id");
    private static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");
    /** Our own values (a checked id, a traceparent), small: no validation, few buckets. */
    private static final io.netty.handler.codec.http.HttpHeadersFactory ADDED =
            io.netty.handler.codec.http.DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    /** Upstreams whose GET span name is found by identity (a balancer's instances; more start the list over). */
    private static final int RECENT_GET_NAMES = 8;
    private final UpstreamClient client;
    private final boolean passBodiesThrough;
    private final Map<HostPort, String> getNames = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile GetName[] recentGetNames = new GetName[0];

    /**
     * Responses come back with their bodies in the pooled buffers they arrived in ({@link
     * Response#passingThrough}), written on without a copy: a stage that drops one must release it.
     */
    public Forwarder(UpstreamClient client) {
        this(client, true);
    }

    private Forwarder(UpstreamClient client, boolean passBodiesThrough) {
        this.client = client;
        this.passBodiesThrough = passBodiesThrough;
    }

    /** The same forwarder with every response body copied into a byte array, for stages that keep or drop bodies freely. */
    public Forwarder copyingBodies() {
        return new Forwarder(client, false);
    }

    /** Completes with the upstream's response, or exceptionally with an {@link UpstreamException}. */
    public CompletableFuture<Response> send(Exchange exchange, HostPort upstream, long timeoutMs) {
        CompletableFuture<Response> result = new CompletableFuture<>();
        send(exchange, upstream, timeoutMs, (response, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else if (!result.complete(response)) {
                response.release(); // a caller that gave up first (orTimeout on the future) never sees this answer
            }
        });
        return result;
    }

    /**
     * As above, handing the outcome to {@code done} (on the thread that has it, after the CLIENT span ended)
     * instead of completing a future: {@code done} owns the response. For a caller that completes a future of its
     * own from the outcome, as a balancer's attempt does, one future and one dependent stage fewer per call.
     */
    public void send(Exchange exchange, HostPort upstream, long timeoutMs, BiConsumer<Response, Throwable> done) {
        Request in = exchange.request();
        Tracing tracing = exchange.tracing();
        SpanBuilder builder = tracing.clientSpan(exchange.span(), spanName(in.method(), upstream));
        // every span recorded: the address goes on the builder, where the SDK takes it without a lock
        boolean early = tracing.recordsEverySpan();
        if (early) {
            builder.setAttribute(Tracing.SERVER_ADDRESS, upstream.host())
                    .setAttribute(Tracing.SERVER_PORT, (long) upstream.port());
        }
        Span span = builder.startSpan();
        boolean recording = span.isRecording();
        if (recording && !early) {
            span.setAttribute(Tracing.SERVER_ADDRESS, upstream.host());
            span.setAttribute(Tracing.SERVER_PORT, (long) upstream.port());
        }
        // only what this hop adds is new; the client leaves out hop-by-hop headers as it writes (no copy)
        Request out = Request.forwarded(in, added(exchange.requestId(), span));
        // the span ends in the client's completion hook, then the caller has the outcome: no future per call
        client.call(upstream, out, timeoutMs, (response, error) -> {
            try {
                if (error != null) {
                    if (recording) span.setStatus(StatusCode.ERROR, String.valueOf(unwrap(error).getMessage()));
                } else {
                    if (recording) span.setAttribute(Tracing.HTTP_STATUS, (long) response.status());
                    // a header block arrives without its hop-by-hop lines already
                    if (response.headerBlock() == null) HopByHop.strip(response.headers());
                }
                span.end();
            } finally {
                done.accept(response, error);
            }
        }, passBodiesThrough);
    }

    /**
     * {@code X-Request-Id} and the span's {@code traceparent}. Usually (no {@code tracestate} to pass on) as
     * a flat read-only list with the traceparent written directly, as the W3C propagator writes it: no hash
     * table and no propagation context per call.
     */
    private static HttpHeaders added(String requestId, Span span) {
        SpanContext context = span.getSpanContext();
        if (context.isValid() && context.getTraceState().isEmpty()) {
            return new ReadOnlyHttpHeaders(false, REQUEST_ID, requestId, TRACEPARENT, Tracing.traceparent(span));
        }
        HttpHeaders headers = ADDED.newHeaders();
        headers.set(REQUEST_ID, requestId);
        Tracing.inject(span, headers);
        return headers;
    }

    /** "GET host:port" made once per upstream (the span name every GET to it carries). */
    private String spanName(String method, HostPort upstream) {
        if (!method.equals("GET")) return method + " " + upstream;
        // the last few upstreams' names, found by identity: a balancer's instances keep their address object, so
        // the usual request skips hashing the address (a record: its host string and port) for the map
        GetName[] recent = recentGetNames;
        for (GetName g : recent) if (g.upstream() == upstream) return g.name();
        String name = getNames.get(upstream);
        if (name == null) {
            name = "GET " + upstream;
            if (getNames.size() < 1024) getNames.put(upstream, name); // bounded: upstreams come and go
        }
        GetName added = new GetName(upstream, name);
        if (recent.length < RECENT_GET_NAMES) {
            GetName[] more = java.util.Arrays.copyOf(recent, recent.length + 1);
            more[recent.length] = added;
            recentGetNames = more;
        } else {
            recentGetNames = new GetName[] {added}; // full (instances replaced, or many): start over
        }
        return name;
    }

    /** An upstream and its GET span name; the array holding them is replaced whole (loops read it unlocked). */
    private record GetName(HostPort upstream, String name) {}

    /** Like {@link #send} but answers failures with the matching problem response. */
    public CompletableFuture<Response> forward(Exchange exchange, HostPort upstream, long timeoutMs) {
        return send(exchange, upstream, timeoutMs)
                .exceptionally(error -> problemFor(exchange, unwrap(error)));
    }

    public long defaultTimeoutMs() {
        return client.config().readTimeoutMs();
    }

    public static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** The problem a hop answers when its upstream call failed. */
    public static Response problemFor(Exchange exchange, Throwable error) {
        if (error instanceof UpstreamException ue) {
            String title = switch (ue.kind().status) {
                case 503 -> "Service Unavailable";
                case 504 -> "Gateway Timeout";
                default -> "Bad Gateway";
            };
            return Problem.of(ue.kind().status, title, exchange.hop() + ": " + ue.getMessage(),
                    Map.of("hop", exchange.hop(), "requestId", exchange.requestId()));
        }
        return Problem.of(502, "Bad Gateway", exchange.hop() + ": upstream call failed",
                Map.of("hop", exchange.hop(), "requestId", exchange.requestId()));
    }
}
