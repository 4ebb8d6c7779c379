package io.requestflow.engine.trace;

import io.netty.handler.codec.http.HttpHeaders;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.samplers.Sampler;

/**
 * Spans for one hop instance, recorded with the OpenTelemetry SDK, and W3C {@code traceparent}
 * propagation in and out of HTTP headers. A missing or invalid {@code traceparent} starts a new trace.
 */
public final class Tracing implements AutoCloseable {
    private static final W3CTraceContextPropagator PROPAGATOR = W3CTraceContextPropagator.getInstance();
    /** Reads a bare traceparent value as the only header of its carrier. */
    private static final TextMapGetter<String> TRACEPARENT_ONLY = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return java.util.List.of("traceparent");
        }

        @Override
        public String get(String carrier, String key) {
            return "traceparent".equals(key) ? carrier : null;
        }
    };
    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
    private static final AttributeKey<String> INSTANCE = AttributeKey.stringKey("service.instance.id");

    // The attributes every hop sets, as keys made once: a key made from a string per call costs an
    // allocation and a hash on every span.
    public static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
    public static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    public static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("requestflow.request_id");
    public static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
    public static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    public static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");

    private static final TextMapGetter<HttpHeaders> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpHeaders carrier) {
            return carrier.names();
        }

        @Override
        public String get(HttpHeaders carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };
    private static final TextMapSetter<HttpHeaders> SETTER = (carrier, key, value) -> {
        if (carrier != null) carrier.set(key, value);
    };

    /** Attributes kept per span (the most any span sets is six: HttpHop's four plus a stage's). */
    static final int MAX_ATTRIBUTES = 8;

    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final boolean recordsEverySpan;

    public Tracing(String service, String instance, RecentSpans sink) {
        this(service, instance, sink, 1.0);
    }

    /**
     * {@code sampleRatio} ({@code tracing.sampleRatio}): the share of requests recorded that arrive
     * without a {@code traceparent}. One marked sampled (as {@code ./flow get} sends) is always recorded;
     * below 1, one marked unsampled is not (the first hop decided for the whole trace). Unrecorded spans
     * still carry ids, so request ids and {@code traceparent} propagation work the same.
     */
    public Tracing(String service, String instance, RecentSpans sink, double sampleRatio) {
        this.provider = SdkTracerProvider.builder()
                .setResource(Resource.create(Attributes.of(SERVICE_NAME, service, INSTANCE, instance)))
                .addSpanProcessor(sink) // stores each span as it ends, lock-free
                // a span here carries at most six attributes; the SDK sizes each span's attribute table
                // from this limit (16 slots under its default of 128), allocated for every span
                .setSpanLimits(SpanLimits.builder().setMaxNumberOfAttributes(MAX_ATTRIBUTES).build())
                .setSampler(sampler(sampleRatio))
                .setClock(SpanClock.INSTANCE) // no native wall-clock read per request
                .build();
        this.tracer = provider.get("io.requestflow");
        this.recordsEverySpan = sampleRatio >= 1;
    }

    /**
     * True at {@code sampleRatio} 1, where every span is recorded: a caller may then give a span its attributes
     * on the builder, before it starts, where the SDK takes them without the lock each {@code setAttribute} on a
     * started span takes. Below 1 attributes wait for {@link Span#isRecording()}, so an unrecorded span builds none.
     */
    public boolean recordsEverySpan() {
        return recordsEverySpan;
    }

    /**
     * Below 1, parent-based: a caller's decision (its {@code traceparent} flag) is followed, so a trace is
     * kept or dropped whole; a request arriving without one gets the ratio, by trace id. At 1 every span
     * is recorded, whatever the caller's flag said (as before the setting existed).
     */
    public static Sampler sampler(double ratio) {
        if (!(ratio >= 0 && ratio <= 1)) {
            throw new IllegalArgumentException("tracing.sampleRatio must be between 0 and 1, was " + ratio);
        }
        if (ratio >= 1) return Sampler.alwaysOn();
        return Sampler.parentBased(Sampler.traceIdRatioBased(ratio));
    }

    /** Starts the SERVER span of a request, continuing the caller's trace when it sent one. */
    public Span startServer(String name, HttpHeaders incoming) {
        return serverSpan(name, incoming).startSpan();
    }

    /** The SERVER span of a request, continuing the caller's trace when it sent one, not started yet. */
    public SpanBuilder serverSpan(String name, HttpHeaders incoming) {
        Context parent = PROPAGATOR.extract(Context.root(), incoming, GETTER);
        return tracer.spanBuilder(name).setParent(parent).setSpanKind(SpanKind.SERVER);
    }

    /** Starts a CLIENT span for an outbound call (upstream HTTP, Redis, PostgreSQL). */
    public Span startClient(Span parent, String name) {
        return clientSpan(parent, name).startSpan();
    }

    /** A CLIENT span for an outbound call, not started yet. */
    public SpanBuilder clientSpan(Span parent, String name) {
        return tracer.spanBuilder(name).setParent(Context.root().with(parent)).setSpanKind(SpanKind.CLIENT);
    }

    /**
     * Starts a span of messaging work (kind PRODUCER or CONSUMER) continuing {@code traceparent}, the trace
     * an event carries (null or invalid: a new trace).
     */
    public Span startMessaging(String name, String traceparent, SpanKind kind) {
        Context parent = traceparent == null ? Context.root()
                : PROPAGATOR.extract(Context.root(), traceparent, TRACEPARENT_ONLY);
        return tracer.spanBuilder(name).setParent(parent).setSpanKind(kind).startSpan();
    }

    /** Writes {@code traceparent} (and {@code tracestate}) for {@code span} into outgoing headers. */
    public static void inject(Span span, HttpHeaders outgoing) {
        PROPAGATOR.inject(Context.root().with(span), outgoing, SETTER);
    }

    /** The {@code traceparent} value for a span, for protocols without headers (a SQL comment). */
    public static String traceparent(Span span) {
        var sc = span.getSpanContext();
        return "00-" + sc.getTraceId() + "-" + sc.getSpanId() + "-" + sc.getTraceFlags().asHex();
    }

    @Override
    public void close() {
        provider.close();
    }
}
