package io.requestflow.engine.pipeline;

import io.opentelemetry.api.trace.Span;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.trace.ServerTiming;
import io.requestflow.engine.trace.Tracing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;

/**
 * The per-request context that travels through a hop's stages (Pingora's CTX): the request, its
 * identity (request id, trace span), the hop's own Server-Timing description and the timings of
 * calls the hop made (Redis, PostgreSQL), plus attributes stages share with each other.
 */
public final class Exchange {
    private volatile Request request;
    private final String hop;
    private final String requestId;
    private final Span span;
    private final Tracing tracing;
    private final long startNanos = System.nanoTime();
    private final List<ServerTiming.Entry> calls = new ArrayList<>();
    /** Made on the first put: most hops (balancer, edge) never share attributes between stages. */
    private volatile Map<String, Object> attributes;
    private volatile String timingDesc;

    public Exchange(Request request, String hop, String requestId, Span span, Tracing tracing) {
        this.request = request;
        this.hop = hop;
        this.requestId = requestId;
        this.span = span;
        this.tracing = tracing;
    }

    public Request request() {
        return request;
    }

    /** Replaces the request a later stage sees (a path rewrite, for example). */
    public void request(Request replacement) {
        this.request = replacement;
    }

    public String hop() {
        return hop;
    }

    public String requestId() {
        return requestId;
    }

    public Span span() {
        return span;
    }

    public Tracing tracing() {
        return tracing;
    }

    public long startNanos() {
        return startNanos;
    }

    /** A short note for this hop's Server-Timing entry, such as the instance picked or "HIT". */
    public void describe(String desc) {
        this.timingDesc = desc;
    }

    public String timingDesc() {
        return timingDesc;
    }

    /** Records a call this hop made (Redis, PostgreSQL); it appears after the hop's own entry. */
    public void recordCall(String name, long nanos, String desc) {
        synchronized (calls) {
            calls.add(new ServerTiming.Entry(name, nanos / 1e6, desc, hop));
        }
    }

    public List<ServerTiming.Entry> calls() {
        synchronized (calls) {
            return calls.isEmpty() ? List.of() : List.copyOf(calls);
        }
    }

    @SuppressWarnings("unchecked")
    public <T> T attribute(String key) {
        Map<String, Object> map = attributes;
        return map == null ? null : (T) map.get(key);
    }

    public void attribute(String key, Object value) {
        Map<String, Object> map = attributes;
        if (map == null) {
            synchronized (this) {
                if (attributes == null) attributes = new ConcurrentHashMap<>();
                map = attributes;
            }
        }
        map.put(key, value);
    }
}
