package io.requestflow.engine.hop;

import io.micrometer.core.instrument.Timer;
import io.netty.util.concurrent.ScheduledFuture;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.StatusCode;
import io.requestflow.engine.admin.AdminServer;
import io.requestflow.engine.http.HttpError;
import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.net.LoopDeadlines;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Pipeline;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.engine.proxy.Forwarder;
import io.requestflow.engine.server.HttpServer;
import io.requestflow.engine.server.ServerConfig;
import io.requestflow.engine.trace.ServerTiming;
import io.requestflow.engine.trace.Tracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * An HTTP hop: a listener whose requests run through the hop's stages, wrapped in what every hop does
 * the same way - the request id, the SERVER span, the hop's Server-Timing entry, metrics, the safety
 * timeout and problem+json for anything that went wrong - plus the hop's admin port.
 */
public final class HttpHop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpHop.class);
    static final String REQUEST_ID = "x-request-id";
    // header names as AsciiString: the encoder copies them as bytes, where a String is copied char by char
    private static final io.netty.util.AsciiString REQUEST_ID_NAME = io.netty.util.AsciiString.cached(REQUEST_ID);
    private static final io.netty.util.AsciiString SERVER_TIMING_NAME =
            io.netty.util.AsciiString.cached(ServerTiming.HEADER);

    /**
     * @param listen           traffic address ({@code port 0} = ephemeral)
     * @param admin            admin address for /healthz, /readyz, /metrics
     * @param requestTimeoutMs no request spends longer than this in the hop (504 after it)
     */
    public record Spec(HostPort listen, HostPort admin, ServerConfig server, long requestTimeoutMs) {}

    private final HopContext context;
    private final Pipeline pipeline;
    private final long requestTimeoutMs;
    private final Timer.Builder timer;
    private final io.micrometer.core.instrument.Counter lateAnswers;
    /** One timer per status, looked up without building a meter id on every request. */
    private final java.util.concurrent.atomic.AtomicReferenceArray<Timer> timersByStatus =
            new java.util.concurrent.atomic.AtomicReferenceArray<>(600);
    /** Span names of the common methods, made once. */
    private final String spanGet;
    private final String spanPost;
    private Spec spec;
    private HttpServer server;
    private volatile HttpServer tlsServer;
    private AdminServer adminServer;

    private HttpHop(HopContext context, List<Stage> stages, long requestTimeoutMs) {
        this.context = context;
        this.pipeline = new Pipeline(stages);
        this.requestTimeoutMs = requestTimeoutMs;
        this.spanGet = context.hop() + " GET";
        this.spanPost = context.hop() + " POST";
        this.lateAnswers = io.micrometer.core.instrument.Counter.builder("requestflow.requests.late")
                .description("Answers from the stages that came after the safety timeout had answered 504 (dropped)")
                .register(context.registry());
        this.timer = Timer.builder("requestflow.requests")
                .description("Requests handled by this hop, by status")
                .publishPercentileHistogram();
    }

    /** Starts the traffic listener and the admin listener; {@code ready} drives /readyz. */
    public static HttpHop start(HopContext context, Spec spec, List<Stage> stages, AdminServer.Readiness ready,
                                Map<String, io.requestflow.engine.server.RequestHandler> adminRoutes) {
        return start(context, spec, stages, ready, adminRoutes, null);
    }

    /** As above, with a raw-request inspector in front of the HTTP codec (null for none). */
    public static HttpHop start(HopContext context, Spec spec, List<Stage> stages, AdminServer.Readiness ready,
                                Map<String, io.requestflow.engine.server.RequestHandler> adminRoutes,
                                io.requestflow.engine.server.RawRequestInspector inspector) {
        // every HTTP hop can be broken on purpose (./flow break): a stage in front, /faults and /readyz on admin
        HttpHop hop = new HttpHop(context, context.faults().inFrontOf(stages), spec.requestTimeoutMs());
        hop.spec = spec;
        hop.server = HttpServer.start(context.instance(), spec.listen(), spec.server(), context.engine().group(),
                hop.requests, inspector);
        try {
            hop.adminServer = AdminServer.start(context, spec.admin(), context.faults().readiness(ready),
                    context.faults().withAdminRoute(adminRoutes));
        } catch (RuntimeException e) {
            hop.server.close();
            throw e;
        }
        return hop;
    }

    public InetSocketAddress address() {
        return server.address();
    }

    /**
     * Adds a TLS listener (HTTP/2 and HTTP/1.1 by ALPN) that runs the same stages; requests arriving on
     * it are marked {@link Request#secure()}.
     */
    public HttpHop withTls(HostPort listen, io.netty.handler.ssl.SslContext tls) {
        return withTls(listen, () -> tls);
    }

    /** As above, asking {@code tls} for the context at each new connection (certificates that are replaced). */
    public HttpHop withTls(HostPort listen, java.util.function.Supplier<io.netty.handler.ssl.SslContext> tls) {
        tlsServer = HttpServer.start(context.instance() + "-tls", listen, spec.server(), context.engine().group(),
                requests, tls);
        return this;
    }

    /** The TLS listener's address, or null when the hop has none. */
    public InetSocketAddress tlsAddress() {
        HttpServer s = tlsServer;
        return s == null ? null : s.address();
    }

    public InetSocketAddress adminAddress() {
        return adminServer.address();
    }

    public HopContext context() {
        return context;
    }

    public List<Stage> stages() {
        return pipeline.stages();
    }

    /** The listener's handler: the answer as a callback, no future per request ({@link #handle(Request, BiConsumer)}). */
    private final io.requestflow.engine.server.RequestHandler requests = new io.requestflow.engine.server.RequestHandler() {
        @Override
        public CompletableFuture<Response> handle(Request request) {
            return HttpHop.this.handle(request);
        }

        @Override
        public void handle(Request request, BiConsumer<Response, Throwable> done) {
            HttpHop.this.handle(request, done);
        }
    };

    /** The request's answer as a future (the listener takes it as a callback). */
    CompletableFuture<Response> handle(Request request) {
        CompletableFuture<Response> answer = new CompletableFuture<>();
        handle(request, (response, error) -> {
            if (error != null) answer.completeExceptionally(error);
            else answer.complete(response);
        });
        return answer;
    }

    /**
     * Runs the request through the stages and hands {@code done} the answer (a problem for anything that went wrong,
     * a 504 at the safety timeout), or the error itself when the hop failed before its stages ran.
     */
    void handle(Request request, BiConsumer<Response, Throwable> done) {
        Exchange exchange;
        CompletableFuture<Response> result;
        try {
            exchange = begin(request);
            result = pipeline.execute(exchange);
        } catch (RuntimeException e) {
            done.accept(null, e);
            return;
        }
        if (result.isDone()) { // answered on the spot (a local answer, a refusal): no timer, no dependent stage
            Response response = null;
            Throwable error = null;
            try {
                response = result.join();
            } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
                error = e;
            }
            Response answer;
            try {
                answer = finish(exchange, response, error);
            } catch (RuntimeException e) {
                done.accept(null, e);
                return;
            }
            done.accept(answer, null);
            return;
        }
        // The pipeline's own future is never completed from here: an answer arriving after the safety
        // timeout is still seen, and released (a passed-through body holds a pooled buffer).
        java.util.concurrent.atomic.AtomicBoolean answered = new java.util.concurrent.atomic.AtomicBoolean();
        LoopDeadlines.Timeout timer = safetyTimeout(exchange.startNanos(), () -> {
            if (answered.compareAndSet(false, true)) {
                done.accept(finish(exchange, null, new TimeoutException()), null);
            }
        });
        result.whenComplete((response, error) -> {
            if (timer != null) timer.cancel();
            if (answered.compareAndSet(false, true)) {
                done.accept(finish(exchange, response, error), null);
            } else {
                lateAnswers.increment();
                if (response != null) response.release(); // too late: the client already has its 504
            }
        });
    }

    /** The request's id, its SERVER span and its exchange. */
    private Exchange begin(Request request) {
        String method = request.method();
        String spanName = method.equals("GET") ? spanGet : method.equals("POST") ? spanPost
                : context.hop() + " " + method;
        Tracing tracing = context.tracing();
        SpanBuilder builder = tracing.serverSpan(spanName, request.headers());
        String requestId = request.header(REQUEST_ID_NAME);
        boolean callersId = requestId != null && safeRequestId(requestId);
        // every span recorded: the attributes known now go on the builder (no lock per attribute); the order
        // they are recorded in stays method, path, request id
        boolean early = tracing.recordsEverySpan();
        if (early) {
            builder.setAttribute(Tracing.HTTP_METHOD, method).setAttribute(Tracing.URL_PATH, request.path());
            if (callersId) builder.setAttribute(Tracing.REQUEST_ID, requestId);
        }
        Span span = builder.startSpan();
        if (!callersId) {
            requestId = span.getSpanContext().getTraceId();
            request.headers().set(REQUEST_ID_NAME, requestId);
        }
        if (early) {
            if (!callersId) span.setAttribute(Tracing.REQUEST_ID, requestId);
        } else if (span.isRecording()) { // an unsampled request builds no attributes (and does not decode its path)
            span.setAttribute(Tracing.HTTP_METHOD, method);
            span.setAttribute(Tracing.URL_PATH, request.path());
            span.setAttribute(Tracing.REQUEST_ID, requestId);
        }
        return new Exchange(request, context.hop(), requestId, span, context.tracing());
    }

    /** {@code [A-Za-z0-9._:-]{1,64}} without a regex matcher per request. */
    static boolean safeRequestId(String id) {
        int n = id.length();
        if (n < 1 || n > 64) return false;
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '-';
            if (!ok) return false;
        }
        return true;
    }

    /**
     * Runs {@code expire} after {@code requestTimeoutMs} unless cancelled.
     * The timer lives in the deadline lists of the Netty event loop serving this request rather than in
     * {@code orTimeout} (the JDK's delay scheduler wakes a pool thread for every schedule and cancel) or a
     * task per request (two heap operations in the loop's scheduled-task queue).
     */
    private LoopDeadlines.Timeout safetyTimeout(long startNanos, Runnable expire) {
        LoopDeadlines deadlines = LoopDeadlines.current();
        if (deadlines != null) return deadlines.add(requestTimeoutMs, startNanos, expire); // from the exchange's start
        try {
            ScheduledFuture<?> task = context.engine().group().next().schedule(expire, requestTimeoutMs,
                    TimeUnit.MILLISECONDS);
            return () -> task.cancel(false);
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            CompletableFuture.delayedExecutor(requestTimeoutMs, TimeUnit.MILLISECONDS).execute(expire);
            return null;
        }
    }

    private Response finish(Exchange exchange, Response response, Throwable error) {
        if (error != null) response = problemFor(exchange, Forwarder.unwrap(error));
        long nanos = System.nanoTime() - exchange.startNanos();
        // this hop's entry, its calls, then what came back from upstream: one builder, one string
        StringBuilder timing = ServerTiming.append(new StringBuilder(96), context.hop(), nanos / 1e6,
                exchange.timingDesc(), null);
        for (ServerTiming.Entry call : exchange.calls()) call.appendTo(timing.append(", "));
        // read and set without turning a proxied response's header block into header objects
        String upstream = response.headerValue(SERVER_TIMING_NAME);
        if (upstream != null && !upstream.isBlank()) timing.append(", ").append(upstream);
        response.header(SERVER_TIMING_NAME, timing.toString());
        response.header(REQUEST_ID_NAME, exchange.requestId());
        Span span = exchange.span();
        if (span.isRecording()) {
            span.setAttribute(Tracing.HTTP_STATUS, (long) response.status());
            if (response.status() >= 500) span.setStatus(StatusCode.ERROR);
        }
        span.end();
        timerFor(response.status()).record(nanos, TimeUnit.NANOSECONDS);
        return response;
    }

    /** The status's timer from an array by status (no boxing, no hash lookup); registering twice is harmless. */
    private Timer timerFor(int status) {
        if (status < 0 || status >= timersByStatus.length()) {
            return timer.tag("status", Integer.toString(status)).register(context.registry());
        }
        Timer t = timersByStatus.get(status);
        if (t == null) {
            t = timer.tag("status", Integer.toString(status)).register(context.registry());
            timersByStatus.set(status, t);
        }
        return t;
    }

    private Response problemFor(Exchange exchange, Throwable error) {
        if (error instanceof HttpError httpError) return httpError.toResponse();
        if (error instanceof TimeoutException) {
            return Problem.of(504, "Gateway Timeout", context.hop() + ": no answer within " + requestTimeoutMs
                    + " ms", Map.of("hop", context.hop(), "requestId", exchange.requestId()));
        }
        if (error instanceof io.requestflow.engine.client.UpstreamException) {
            return Forwarder.problemFor(exchange, error);
        }
        LOG.warn("{}: request {} {} failed", context.instance(), exchange.requestId(), exchange.request(), error);
        return Problem.of(500, "Internal Server Error", context.hop() + ": the request failed inside the hop; its log"
                + " has the details under request id " + exchange.requestId(),
                Map.of("hop", context.hop(), "requestId", exchange.requestId()));
    }

    /** Closes the traffic listener first (draining in-flight requests), then admin, then the context. */
    @Override
    public void close() {
        if (tlsServer != null) tlsServer.close();
        if (server != null) server.close();
        if (adminServer != null) adminServer.close();
        context.close();
    }
}
