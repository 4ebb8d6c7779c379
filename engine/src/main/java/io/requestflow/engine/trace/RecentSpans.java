package io.requestflow.engine.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributeType;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;

import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A bounded in-memory store of the most recent finished spans, so one request can be followed
 * through the admin port ({@code /spans?trace=ID}) without running a tracing backend.
 *
 * <p>It is the span processor itself: a finished span is copied into a ring of slots in primitive arrays
 * allocated once (ids and times as longs; name, service, status and attributes encoded in a fixed byte
 * region per slot), the newest overwriting the oldest. No object per span outlives the request, so a young
 * collection has nothing of the ring to copy (kept as SDK span objects, the 10,000 of them were most of what
 * every collection copied: docs/benchmarks.md, balancer rounds 7 and 8). A slot carries a stamp, the span's
 * sequence number, set after its data: a reader copies the slot and keeps the copy only when the stamp is
 * the same before and after (a seqlock), so writers take no lock and never wait for a reader.
 *
 * <p>A string value keeps at most {@link #MAX_VALUE_BYTES} bytes of UTF-8; attributes that no longer fit
 * the slot ({@link #SLOT_BYTES}) are counted in {@code requestflow.dropped_attributes}. Array values are
 * kept as their text.
 */
public final class RecentSpans implements SpanProcessor {
    /** Bytes per slot for name, service, status and attributes: ~200 for a proxied request's span. */
    static final int SLOT_BYTES = 512;
    /** Longest string value kept (a longer one ends in "…"). */
    static final int MAX_VALUE_BYTES = 200;
    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
    private static final int LONGS = 6; // trace id (2), span id, parent span id, start, end
    private static final long BUSY = -1;
    private static final byte STRING = 0, LONG = 1, DOUBLE = 2, TRUE = 3, FALSE = 4;
    private static final SpanKind[] KINDS = SpanKind.values();
    private static final StatusCode[] STATUSES = StatusCode.values();

    private final int capacity;
    private final long[] longs;
    private final byte[] bytes;
    /** Per slot: the sequence number of the span in it, or BUSY while a writer fills it. */
    private final AtomicLongArray stamps;
    /** Spans ever stored; the next one goes to slot {@code written % capacity}. */
    private final AtomicLong written = new AtomicLong();

    public RecentSpans(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("recent spans capacity must be at least 1");
        this.capacity = capacity;
        this.longs = new long[capacity * LONGS];
        this.bytes = new byte[Math.multiplyExact(capacity, SLOT_BYTES)];
        this.stamps = new AtomicLongArray(capacity);
        for (int i = 0; i < capacity; i++) stamps.set(i, BUSY); // empty: no span yet
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
        write(slot, span.toSpanData()); // after end the SDK's SpanData shares the span's tables, no copy
        stamps.setRelease(slot, n);
    }

    private void write(int slot, SpanData s) {
        int l = slot * LONGS;
        String traceId = s.getTraceId();
        longs[l] = hex(traceId, 0);
        longs[l + 1] = hex(traceId, 16);
        longs[l + 2] = hex(s.getSpanId(), 0);
        longs[l + 3] = hex(s.getParentSpanId(), 0);
        longs[l + 4] = s.getStartEpochNanos();
        longs[l + 5] = s.getEndEpochNanos();
        Region r = new Region(bytes, slot * SLOT_BYTES);
        r.put((byte) s.getKind().ordinal());
        r.put((byte) s.getStatus().getStatusCode().ordinal());
        r.putString(s.getName());
        String service = s.getResource().getAttributes().get(SERVICE_NAME);
        r.putString(service == null ? "" : service);
        int countAt = r.at;
        r.put((byte) 0); // attributes kept
        r.put((byte) 0); // attributes dropped
        s.getAttributes().forEach((key, value) -> {
            int start = r.at;
            if (r.putAttribute(key, value)) {
                r.buf[countAt]++;
            } else {
                r.at = start;
                r.buf[countAt + 1]++;
            }
        });
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
        long wantHigh = 0, wantLow = 0;
        if (traceId != null) {
            if (!isHex(traceId, 32)) return out; // no stored span has it
            wantHigh = hex(traceId, 0);
            wantLow = hex(traceId, 16);
        }
        long[] ids = new long[LONGS];
        byte[] region = new byte[SLOT_BYTES];
        for (long n = newest; n >= oldest && out.size() < limit; n--) {
            int slot = (int) (n % capacity);
            if (stamps.getAcquire(slot) != n) continue; // being written, or already the next round's
            int l = slot * LONGS;
            if (traceId != null && (longs[l] != wantHigh || longs[l + 1] != wantLow)) continue;
            System.arraycopy(longs, l, ids, 0, LONGS);
            System.arraycopy(bytes, slot * SLOT_BYTES, region, 0, SLOT_BYTES);
            VarHandle.acquireFence(); // the copies above happen before the stamp is read again
            if (stamps.get(slot) != n) continue; // overwritten while copying
            if (traceId != null && (ids[0] != wantHigh || ids[1] != wantLow)) continue;
            out.add(describe(ids, region));
        }
        return out;
    }

    private static Map<String, Object> describe(long[] ids, byte[] region) {
        Region r = new Region(region, 0);
        SpanKind kind = KINDS[r.get()];
        StatusCode status = STATUSES[r.get()];
        String name = r.getString();
        String service = r.getString();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("traceId", hex(ids[0]) + hex(ids[1]));
        m.put("spanId", hex(ids[2]));
        m.put("parentSpanId", hex(ids[3]));
        m.put("service", service);
        m.put("name", name);
        m.put("kind", kind.name());
        m.put("startEpochNanos", ids[4]);
        m.put("durationMs", (ids[5] - ids[4]) / 1e6);
        Map<String, Object> attrs = new LinkedHashMap<>();
        int kept = r.get(), dropped = r.get();
        for (int i = 0; i < kept; i++) {
            String key = r.getString();
            attrs.put(key, r.getValue());
        }
        if (dropped > 0) attrs.put("requestflow.dropped_attributes", (long) dropped);
        m.put("attributes", attrs);
        m.put("status", status.name());
        return m;
    }

    /** A write or read position in one slot's bytes. */
    private static final class Region {
        final byte[] buf;
        final int end;
        int at;

        Region(byte[] buf, int start) {
            this.buf = buf;
            this.at = start;
            this.end = start + SLOT_BYTES;
        }

        void put(byte b) {
            buf[at++] = b;
        }

        int get() {
            return buf[at++] & 0xff;
        }

        /** Writes a name or service; both are short, and the region has room for two of MAX_VALUE_BYTES. */
        void putString(String s) {
            putText(s, MAX_VALUE_BYTES);
        }

        /** False when the attribute does not fit what is left of the region (the caller rewinds). */
        boolean putAttribute(AttributeKey<?> key, Object value) {
            int keyRoom = end - at - 2 - 9; // the key's length, then at least a type and a long
            if (keyRoom < 8) return false;
            putText(key.getKey(), Math.min(MAX_VALUE_BYTES, keyRoom));
            AttributeType type = key.getType();
            if (type == AttributeType.LONG) {
                put(LONG);
                putLong((Long) value);
            } else if (type == AttributeType.DOUBLE) {
                put(DOUBLE);
                putLong(Double.doubleToRawLongBits((Double) value));
            } else if (type == AttributeType.BOOLEAN) {
                put((Boolean) value ? TRUE : FALSE);
            } else {
                int valueRoom = end - at - 1 - 2;
                if (valueRoom < 8) return false;
                put(STRING);
                putText(String.valueOf(value), Math.min(MAX_VALUE_BYTES, valueRoom));
            }
            return true;
        }

        /** Length (2 bytes) and UTF-8, cut at {@code max} bytes with a trailing "…" when longer. */
        private void putText(String s, int max) {
            int lengthAt = at;
            at += 2;
            int start = at;
            int n = s.length();
            boolean ascii = true;
            for (int i = 0; i < n && ascii; i++) ascii = s.charAt(i) < 0x80;
            if (ascii && n <= max) {
                for (int i = 0; i < n; i++) buf[at++] = (byte) s.charAt(i);
            } else {
                byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                if (utf8.length <= max) {
                    System.arraycopy(utf8, 0, buf, at, utf8.length);
                    at += utf8.length;
                } else {
                    int cut = Math.max(0, max - 3);
                    while (cut > 0 && (utf8[cut] & 0xc0) == 0x80) cut--; // not inside a character
                    System.arraycopy(utf8, 0, buf, at, cut);
                    at += cut;
                    byte[] ellipsis = "…".getBytes(StandardCharsets.UTF_8);
                    System.arraycopy(ellipsis, 0, buf, at, ellipsis.length);
                    at += ellipsis.length;
                }
            }
            int len = at - start;
            buf[lengthAt] = (byte) (len >>> 8);
            buf[lengthAt + 1] = (byte) len;
        }

        String getString() {
            int len = get() << 8 | get();
            String s = new String(buf, at, len, StandardCharsets.UTF_8);
            at += len;
            return s;
        }

        Object getValue() {
            int type = get();
            return switch (type) {
                case LONG -> getLong();
                case DOUBLE -> Double.longBitsToDouble(getLong());
                case TRUE -> true;
                case FALSE -> false;
                default -> getString();
            };
        }

        private void putLong(long v) {
            for (int shift = 56; shift >= 0; shift -= 8) buf[at++] = (byte) (v >>> shift);
        }

        private long getLong() {
            long v = 0;
            for (int i = 0; i < 8; i++) v = v << 8 | (buf[at++] & 0xff);
            return v;
        }
    }

    /** 16 lowercase hex digits of {@code s} from {@code from} as a long (ids as the SDK writes them). */
    private static long hex(CharSequence s, int from) {
        long v = 0;
        for (int i = from; i < from + 16; i++) v = v << 4 | Character.digit(s.charAt(i), 16);
        return v;
    }

    private static String hex(long v) {
        String h = Long.toHexString(v);
        return h.length() == 16 ? h : "0".repeat(16 - h.length()) + h;
    }

    private static boolean isHex(String s, int length) {
        if (s.length() != length) return false;
        for (int i = 0; i < length; i++) if (Character.digit(s.charAt(i), 16) < 0) return false;
        return true;
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
