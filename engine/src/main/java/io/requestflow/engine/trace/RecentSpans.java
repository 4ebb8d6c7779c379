package io.requestflow.engine.trace;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A bounded in-memory store of the most recent finished spans, so one request can be followed
 * through the admin port ({@code /spans?trace=ID}) without running a tracing backend.
 */
public final class RecentSpans implements SpanExporter {
    private final int capacity;
    private final ArrayDeque<SpanData> spans = new ArrayDeque<>();

    public RecentSpans(int capacity) {
        this.capacity = capacity;
    }

    @Override
    public synchronized CompletableResultCode export(Collection<SpanData> batch) {
        for (SpanData span : batch) {
            if (spans.size() == capacity) spans.removeFirst();
            spans.addLast(span);
        }
        return CompletableResultCode.ofSuccess();
    }

    /** Spans of one trace (or the latest ones when traceId is null), as plain maps for JSON. */
    public synchronized List<Map<String, Object>> find(String traceId, int limit) {
        List<Map<String, Object>> out = new ArrayList<>();
        var it = spans.descendingIterator();
        while (it.hasNext() && out.size() < limit) {
            SpanData s = it.next();
            if (traceId != null && !traceId.equals(s.getTraceId())) continue;
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
            out.add(m);
        }
        return out;
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }

    public CompletableResultCode shutdown(long timeout, TimeUnit unit) {
        return shutdown();
    }
}
