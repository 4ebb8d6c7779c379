package io.requestflow.engine.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributeType;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BiConsumer;

/**
 * A bounded in-memory store of the most recent finished spans, so one request can be followed
 * through the admin port ({@code /spans?trace=ID}) without running a tracing backend.
 *
 * <p>It is the span processor itself: a finished span is copied into a ring of fixed byte slots allocated once,
 * the newest overwriting the oldest, so no object per span outlives its request and a young collection has
 * nothing of the ring to copy (kept as the SDK's span objects, the 10,000 of them were most of what every
 * collection copied: docs/benchmarks.md, balancer rounds 7–9). The copy is kept cheap: ids are the SDK's
 * hex strings copied as bytes (one array copy each, no parsing), attribute keys and service names are
 * interned to a one-byte id, numbers are stored as longs, and a string value is copied as its Latin-1 bytes.
 * A span that does not fit that form (a value past Latin-1, longer than its slot, an array value, more keys
 * than the dictionary holds) is kept as its {@link SpanData}, as before, so {@code /spans} reads the same.
 *
 * <p>A slot carries a stamp, the span's sequence number, set after its data: a reader copies the slot and
 * keeps the copy only when the stamp is the same before and after (a seqlock), so writers take no lock and
 * never wait for a reader.
 */
public final class RecentSpans implements SpanProcessor {
    /** Bytes per slot: ids, times, name and attributes of a proxied request's span take about 160. */
    static final int SLOT_BYTES = 256;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
    private static final SpanKind[] KINDS = SpanKind.values();
    private static final StatusCode[] STATUSES = StatusCode.values();
    private static final long BUSY = -1;
    // slot layout: start, end, trace id, span id, parent span id, kind, status, service, attribute count, name
    private static final int START = 0, END = 8, TRACE = 16, SPAN = 48, PARENT = 64, KIND = 80, STATUS = 81,
            SERVICE = 82, COUNT = 83, NAME = 84;
    private static final byte STRING = 0, LONG = 1, DOUBLE = 2, BOOLEAN = 3;

    private final int capacity;
    private final byte[] slots;
    /** Per slot: the span itself when it did not fit its bytes, else null. */
    private final AtomicReferenceArray<SpanData> whole;
    /** Per slot: the sequence number of the span in it, or BUSY while a writer fills it (or before the first). */
    private final AtomicLongArray stamps;
    /** Spans ever stored; the next one goes to slot {@code written % capacity}. */
    private final AtomicLong written = new AtomicLong();
    private final Dictionary<AttributeKey<?>> keys = new Dictionary<>();
    private final Dictionary<String> services = new Dictionary<>();

    public RecentSpans(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("recent spans capacity must be at least 1");
        this.capacity = capacity;
        this.slots = new byte[Math.multiplyExact(capacity, SLOT_BYTES)];
        this.whole = new AtomicReferenceArray<>(capacity);
        this.stamps = new AtomicLongArray(capacity);
        for (int i = 0; i < capacity; i++) stamps.set(i, BUSY);
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
        int slot = (int) (n % capacity);
        // a writer a whole ring behind on this slot (stalled for `capacity` spans) keeps it; this span is dropped
        long previous = stamps.get(slot);
        if (previous == BUSY && n >= capacity || !stamps.compareAndSet(slot, previous, BUSY)) return;
        SpanData data = span.toSpanData(); // after end it shares the span's tables: no copy
        boolean fits = write(slot * SLOT_BYTES, data);
        // the reference is written only when it changes: no card to mark for the usual compact span
        if (fits ? whole.getPlain(slot) != null : true) whole.setPlain(slot, fits ? null : data);
        stamps.setRelease(slot, n);
    }

    /** Copies the span into its slot; false when it does not fit (the caller keeps the span itself). */
    private boolean write(int at, SpanData s) {
        String traceId = s.getTraceId(), spanId = s.getSpanId(), parentId = s.getParentSpanId();
        if (traceId.length() != 32 || spanId.length() != 16 || parentId.length() != 16) return false;
        String service = s.getResource().getAttributes().get(SERVICE_NAME);
        int serviceId = services.idOf(service == null ? "" : service);
        if (serviceId < 0) return false;
        LONGS.set(slots, at + START, s.getStartEpochNanos());
        LONGS.set(slots, at + END, s.getEndEpochNanos());
        copyLatin1(traceId, at + TRACE); // the SDK's ids are lowercase hex: their bytes, no parsing
        copyLatin1(spanId, at + SPAN);
        copyLatin1(parentId, at + PARENT);
        slots[at + KIND] = (byte) s.getKind().ordinal();
        slots[at + STATUS] = (byte) s.getStatus().getStatusCode().ordinal();
        slots[at + SERVICE] = (byte) serviceId;
        int next = putString(s.getName(), at + NAME, at + SLOT_BYTES);
        if (next < 0) return false;
        Attributes attributes = s.getAttributes();
        if (attributes.size() > 255) return false;
        slots[at + COUNT] = (byte) attributes.size();
        AttributeWriter writer = new AttributeWriter(next, at + SLOT_BYTES);
        attributes.forEach(writer);
        return writer.at >= 0;
    }

    /** Writes one attribute after another: key id, type, value; {@code at} becomes -1 when one does not fit. */
    private final class AttributeWriter implements BiConsumer<AttributeKey<?>, Object> {
        int at;
        final int end;

        AttributeWriter(int at, int end) {
            this.at = at;
            this.end = end;
        }

        @Override
        public void accept(AttributeKey<?> key, Object value) {
            if (at < 0) return;
            int id = keys.idOf(key);
            if (id < 0 || end - at < 2 + 8) {
                at = -1;
                return;
            }
            slots[at] = (byte) id;
            AttributeType type = key.getType();
            if (type == AttributeType.STRING) {
                slots[at + 1] = STRING;
                at = putString((String) value, at + 2, end);
            } else if (type == AttributeType.LONG) {
                slots[at + 1] = LONG;
                LONGS.set(slots, at + 2, (long) (Long) value);
                at += 10;
            } else if (type == AttributeType.DOUBLE) {
                slots[at + 1] = DOUBLE;
                LONGS.set(slots, at + 2, Double.doubleToRawLongBits((Double) value));
                at += 10;
            } else if (type == AttributeType.BOOLEAN) {
                slots[at + 1] = BOOLEAN;
                slots[at + 2] = (byte) ((Boolean) value ? 1 : 0);
                at += 3;
            } else {
                at = -1; // an array value: the span is kept whole
            }
        }
    }

    /** Length (one byte) and Latin-1 bytes at {@code at}; the position after, or -1 when it does not fit. */
    private int putString(String s, int at, int end) {
        int n = s.length();
        if (n > 255 || end - at < 1 + n) return -1;
        for (int i = 0; i < n; i++) if (s.charAt(i) > 0xff) return -1;
        slots[at] = (byte) n;
        copyLatin1(s, at + 1);
        return at + 1 + n;
    }

    /** One array copy for a Latin-1 string (the only strings this is called with). */
    @SuppressWarnings("deprecation")
    private void copyLatin1(String s, int at) {
        s.getBytes(0, s.length(), slots, at);
    }

    @Override
    public boolean isEndRequired() {
        return true;
    }

    /** Spans stored since start (the store keeps the latest {@code capacity} of them). */
    public long stored() {
        return written.get();
    }

    /** Slots now holding a span kept whole rather than as bytes (for tests). */
    int keptWhole() {
        int n = 0;
        for (int i = 0; i < capacity; i++) if (whole.get(i) != null) n++;
        return n;
    }

    /** Spans of one trace (or the latest ones when traceId is null), newest first, as plain maps for JSON. */
    public List<Map<String, Object>> find(String traceId, int limit) {
        List<Map<String, Object>> out = new ArrayList<>();
        long newest = written.get() - 1;
        long oldest = Math.max(0, newest - capacity + 1);
        byte[] copy = new byte[SLOT_BYTES];
        byte[] wanted = traceId == null ? null : traceId.getBytes(StandardCharsets.ISO_8859_1);
        for (long n = newest; n >= oldest && out.size() < limit; n--) {
            int slot = (int) (n % capacity);
            if (stamps.getAcquire(slot) != n) continue; // being written, or already the next round's
            System.arraycopy(slots, slot * SLOT_BYTES, copy, 0, SLOT_BYTES);
            SpanData span = whole.getPlain(slot);
            VarHandle.acquireFence(); // the reads above happen before the stamp is read again
            if (stamps.get(slot) != n) continue; // overwritten while copying
            if (span != null) {
                if (traceId == null || traceId.equals(span.getTraceId())) out.add(describe(span));
            } else if (wanted == null || Arrays.equals(copy, TRACE, TRACE + 32, wanted, 0, wanted.length)) {
                out.add(describe(copy));
            }
        }
        return out;
    }

    /** A span kept whole. */
    private static Map<String, Object> describe(SpanData s) {
        Map<String, Object> attrs = new LinkedHashMap<>();
        s.getAttributes().forEach((k, v) -> attrs.put(k.getKey(), v));
        String service = s.getResource().getAttributes().get(SERVICE_NAME);
        return describe(s.getTraceId(), s.getSpanId(), s.getParentSpanId(), service == null ? "" : service,
                s.getName(), s.getKind(), s.getStartEpochNanos(), s.getEndEpochNanos(), attrs,
                s.getStatus().getStatusCode());
    }

    /** A span read back from a slot's bytes. */
    private Map<String, Object> describe(byte[] b) {
        int at = NAME;
        String name = latin1(b, at);
        at += 1 + (b[at] & 0xff);
        Map<String, Object> attrs = new LinkedHashMap<>();
        for (int i = 0, count = b[COUNT] & 0xff; i < count; i++) {
            String key = keys.get(b[at] & 0xff).getKey();
            byte type = b[at + 1];
            at += 2;
            switch (type) {
                case STRING -> {
                    attrs.put(key, latin1(b, at));
                    at += 1 + (b[at] & 0xff);
                }
                case LONG -> {
                    attrs.put(key, (long) LONGS.get(b, at));
                    at += 8;
                }
                case DOUBLE -> {
                    attrs.put(key, Double.longBitsToDouble((long) LONGS.get(b, at)));
                    at += 8;
                }
                default -> {
                    attrs.put(key, b[at] != 0);
                    at += 1;
                }
            }
        }
        return describe(new String(b, TRACE, 32, StandardCharsets.ISO_8859_1),
                new String(b, SPAN, 16, StandardCharsets.ISO_8859_1),
                new String(b, PARENT, 16, StandardCharsets.ISO_8859_1), services.get(b[SERVICE] & 0xff), name,
                KINDS[b[KIND]], (long) LONGS.get(b, START), (long) LONGS.get(b, END), attrs, STATUSES[b[STATUS]]);
    }

    private static Map<String, Object> describe(String traceId, String spanId, String parentSpanId, String service,
            String name, SpanKind kind, long start, long end, Map<String, Object> attributes, StatusCode status) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("traceId", traceId);
        m.put("spanId", spanId);
        m.put("parentSpanId", parentSpanId);
        m.put("service", service);
        m.put("name", name);
        m.put("kind", kind.name());
        m.put("startEpochNanos", start);
        m.put("durationMs", (end - start) / 1e6);
        m.put("attributes", attributes);
        m.put("status", status.name());
        return m;
    }

    /** The string of one-byte length and Latin-1 bytes at {@code at}. */
    private static String latin1(byte[] b, int at) {
        return new String(b, at + 1, b[at] & 0xff, StandardCharsets.ISO_8859_1);
    }

    /**
     * Up to 255 values, each named by its index; looked up by identity first (the keys hops set are constants),
     * then by equality. Read without a lock, added to under one.
     */
    private static final class Dictionary<T> {
        private static final int MAX = 255;
        private volatile Object[] values = new Object[0];

        /** The value's id, added when new; -1 when the dictionary is full. */
        int idOf(T value) {
            Object[] known = values;
            for (int i = 0; i < known.length; i++) if (known[i] == value) return i;
            for (int i = 0; i < known.length; i++) if (known[i].equals(value)) return i;
            return add(value);
        }

        private synchronized int add(T value) {
            Object[] known = values;
            for (int i = 0; i < known.length; i++) if (known[i].equals(value)) return i;
            if (known.length >= MAX) return -1;
            Object[] more = Arrays.copyOf(known, known.length + 1);
            more[known.length] = value;
            values = more;
            return known.length;
        }

        @SuppressWarnings("unchecked")
        T get(int id) {
            return (T) values[id];
        }
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
