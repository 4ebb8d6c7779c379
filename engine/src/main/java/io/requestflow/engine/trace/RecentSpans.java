package io.requestflow.engine.trace;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A bounded in-memory store of the most recent finished spans, so one request can be followed
 * through the admin port ({@code /spans?trace=ID}) without running a tracing backend.
 *
 * <p>It is the span processor itself: a finished span goes into a ring of slots, the newest
 * overwriting the oldest, with one atomic increment and no lock, so ending a span on a request
 * thread never waits for another thread. The span is stored as it ended and turned into
 * {@link SpanData} only when someone asks for it.
 */
public final class RecentSpans implements SpanProcessor {
    private final int capacity;
    private final AtomicReferenceArray<ReadableSpan> slots;
    /** Spans ever stored; the next one goes to slot {@code written % capacity}. */
    private final AtomicLong written = new AtomicLong();

    public RecentSpans(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("recent spans capacity must be at least 1");
        this.capacity = capacity;
        this.slots = new AtomicReferenceArray<>(capacity);
    }

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {}

    @Override
    public boolean isStartRequired() {
        return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {
        if (!span.getSpanContext().isSampled()) return;
        long n = written.getAndIncrement();
        slots.setRelease((int) (n % capacity), span);
    }

    @Override
    public boolean isEndRequired() {
        return true;
    }

    /** Spans stored since start (the store keeps the latest {@code capacity} of them). */
    public long stored() {
        return written.get();
    }

    /** Spans of one trace (or the latest ones when traceId is null), newest first, as plain maps for JSON. */
    public List<Map<String, Object>> find(String traceId, int limit) {
        List<Map<String, Object>> out = new ArrayList<>();
        long newest = written.get() - 1;
        long oldest = Math.max(0, newest - capacity + 1);
        for (long n = newest; n >= oldest && out.size() < limit; n--) {
            ReadableSpan span = slots.getAcquire((int) (n % capacity));
            if (span == null) continue; // claimed but not yet written
            if (traceId != null && !traceId.equals(span.getSpanContext().getTraceId())) continue;
            out.add(describe(span.toSpanData()));
        }
        return out;
    }

    private static Map<String, Object> describe(SpanData s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("traceId", s.getTraceId());
        m.put("spanId", s.getSpanId());
        m.put("parentSpanId", s.getParentSpanId());
        m.put("service", s.getResource().getAttributes().asMap().entrySet().stream()
                .filter(e -> e.getKey().getKey().equals("service.name"))
                .map(e -> String.valueOf(e.getValue())).findFirst().orElse(""));
        m.put("name", s.getName());
        m.put("kind", s.getKind().name());
        m.put("startEpochNanos", s.getStartEpochNanos());
        m.put("durationMs", (s.getEndEpochNanos() - s.getStartEpochNanos()) / 1e6);
        Map<String, Object> attrs = new LinkedHashMap<>();
        s.getAttributes().forEach((k, v) -> attrs.put(k.getKey(), v));
        m.put("attributes", attrs);
        m.put("status", s.getStatus().getStatusCode().name());
        return m;
    }

    /** The store belongs to the engine, not to one hop's tracer provider: a hop closing keeps it. */
    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode forceFlush() {
        return CompletableResultCode.ofSuccess();
    }
}
