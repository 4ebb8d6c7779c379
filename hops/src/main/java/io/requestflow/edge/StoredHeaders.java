package io.requestflow.edge;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The headers of one cache hit without a header map built per hit: the stored response's fields are
 * encoded once, at store time, as shared immutable ASCII pairs ({@link Block}); each hit only records
 * what it changes (Age, Cache-Status, X-Cache, then the hop's request id and Server-Timing) in a small
 * overlay, and hides the stored fields it replaced or removed. Netty's HTTP/1.1 encoder copies the
 * shared pairs' bytes straight into the output buffer; HTTP/2 reads the same pairs.
 */
final class StoredHeaders extends HttpHeaders {
    /** Stored fields as shared pairs; more than 64 fields are served through a plain copy instead. */
    static final int MAX_FIELDS = 64;

    /** A stored response's fields, encoded once. Never mutated. */
    static final class Block {
        private final AsciiString[] names;
        private final AsciiString[] values;
        private final Map.Entry<CharSequence, CharSequence>[] entries;

        @SuppressWarnings("unchecked")
        Block(HttpHeaders stored) {
            int n = stored.size();
            names = new AsciiString[n];
            values = new AsciiString[n];
            entries = new Map.Entry[n];
            int i = 0;
            for (Iterator<Map.Entry<CharSequence, CharSequence>> it = stored.iteratorCharSequence(); it.hasNext(); i++) {
                Map.Entry<CharSequence, CharSequence> e = it.next();
                names[i] = AsciiString.of(e.getKey());
                values[i] = AsciiString.of(e.getValue());
                entries[i] = new SimpleImmutableEntry<>(names[i], values[i]);
            }
        }

        int size() {
            return names.length;
        }
    }

    private final Block base;
    /** Bit i set: stored field i was removed or replaced for this hit. */
    private long hidden;
    @SuppressWarnings("unchecked")
    private Map.Entry<CharSequence, CharSequence>[] extra = new Map.Entry[8];
    private int added;

    StoredHeaders(Block base) {
        if (base.size() > MAX_FIELDS) throw new IllegalArgumentException("more than " + MAX_FIELDS + " fields");
        this.base = base;
    }

    // ---- reading ----

    private CharSequence first(CharSequence name) {
        for (int i = 0; i < base.names.length; i++) {
            if (visible(i) && base.names[i].contentEqualsIgnoreCase(name)) return base.values[i];
        }
        for (int i = 0; i < added; i++) {
            if (AsciiString.contentEqualsIgnoreCase(extra[i].getKey(), name)) return extra[i].getValue();
        }
        return null;
    }

    private boolean visible(int i) {
        return (hidden & (1L << i)) == 0;
    }

    @Override
    public String get(String name) {
        return get((CharSequence) name);
    }

    @Override
    public String get(CharSequence name) {
        CharSequence v = first(name);
        return v == null ? null : v.toString();
    }

    @Override
    public Integer getInt(CharSequence name) {
        CharSequence v = first(name);
        if (v == null) return null;
        try {
            return Integer.parseInt(v.toString().trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public int getInt(CharSequence name, int defaultValue) {
        Integer v = getInt(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public Short getShort(CharSequence name) {
        Integer v = getInt(name);
        return v == null || v < Short.MIN_VALUE || v > Short.MAX_VALUE ? null : v.shortValue();
    }

    @Override
    public short getShort(CharSequence name, short defaultValue) {
        Short v = getShort(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public Long getTimeMillis(CharSequence name) {
        CharSequence v = first(name);
        Date d = v == null ? null : DateFormatter.parseHttpDate(v);
        return d == null ? null : d.getTime();
    }

    @Override
    public long getTimeMillis(CharSequence name, long defaultValue) {
        Long v = getTimeMillis(name);
        return v == null ? defaultValue : v;
    }

    @Override
    public List<String> getAll(String name) {
        return getAll((CharSequence) name);
    }

    @Override
    public List<String> getAll(CharSequence name) {
        if (first(name) == null) return List.of(); // the encoder asks for Transfer-Encoding on every response
        List<String> all = new ArrayList<>(2);
        for (int i = 0; i < base.names.length; i++) {
            if (visible(i) && base.names[i].contentEqualsIgnoreCase(name)) all.add(base.values[i].toString());
        }
        for (int i = 0; i < added; i++) {
            if (AsciiString.contentEqualsIgnoreCase(extra[i].getKey(), name)) all.add(extra[i].getValue().toString());
        }
        return all;
    }

    @Override
    public List<Map.Entry<String, String>> entries() {
        List<Map.Entry<String, String>> all = new ArrayList<>(size());
        for (Map.Entry<String, String> e : this) all.add(e);
        return all;
    }

    @Override
    public boolean contains(String name) {
        return first(name) != null;
    }

    @Override
    public boolean contains(CharSequence name) {
        return first(name) != null;
    }

    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
        Iterator<Map.Entry<CharSequence, CharSequence>> it = iteratorCharSequence();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Map.Entry<String, String> next() {
                Map.Entry<CharSequence, CharSequence> e = it.next();
                return new SimpleImmutableEntry<>(e.getKey().toString(), e.getValue().toString());
            }
        };
    }

    /** Stored fields first (the shared pairs themselves), then this hit's. */
    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        return new Iterator<>() {
            private int next = advance(0);

            private int advance(int from) {
                int i = from;
                while (i < base.names.length && !visible(i)) i++;
                return i;
            }

            @Override
            public boolean hasNext() {
                return next < base.names.length + added;
            }

            @Override
            public Map.Entry<CharSequence, CharSequence> next() {
                if (!hasNext()) throw new NoSuchElementException();
                int i = next;
                if (i < base.names.length) {
                    next = advance(i + 1);
                    return base.entries[i];
                }
                next = i + 1;
                return extra[i - base.names.length];
            }
        };
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public int size() {
        return base.names.length - Long.bitCount(hidden) + added;
    }

    @Override
    public Set<String> names() {
        Set<String> all = new LinkedHashSet<>();
        for (Map.Entry<CharSequence, CharSequence> e : (Iterable<Map.Entry<CharSequence, CharSequence>>) this::iteratorCharSequence) {
            all.add(e.getKey().toString());
        }
        return all;
    }

    // ---- this hit's changes ----

    @Override
    public HttpHeaders add(String name, Object value) {
        return add((CharSequence) name, value);
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        return append(new SimpleImmutableEntry<>(name, value instanceof CharSequence cs ? cs : String.valueOf(value)));
    }

    /** Sets a field from a pair made beforehand (the values a hit shares with the other hits of its second). */
    StoredHeaders put(Map.Entry<CharSequence, CharSequence> field) {
        remove(field.getKey());
        append(field);
        return this;
    }

    private StoredHeaders append(Map.Entry<CharSequence, CharSequence> field) {
        if (added == extra.length) extra = Arrays.copyOf(extra, added * 2);
        extra[added++] = field;
        return this;
    }

    @Override
    public HttpHeaders add(String name, Iterable<?> values) {
        for (Object v : values) add(name, v);
        return this;
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        return add(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        return add(name, Short.toString(value));
    }

    @Override
    public HttpHeaders set(String name, Object value) {
        return set((CharSequence) name, value);
    }

    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        remove(name);
        return add(name, value);
    }

    @Override
    public HttpHeaders set(String name, Iterable<?> values) {
        remove(name);
        return add(name, values);
    }

    /** Setting the length a field already has changes nothing (the server sets it on every response). */
    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        CharSequence current = first(name);
        if (current instanceof AsciiString a && a.length() > 0 && a.length() < 10 && digits(a) && a.parseInt() == value
                && getAll(name).size() == 1) {
            return this;
        }
        return set(name, Integer.toString(value));
    }

    private static boolean digits(AsciiString a) {
        for (int i = 0; i < a.length(); i++) {
            char c = a.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return true;
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        return set(name, Short.toString(value));
    }

    @Override
    public HttpHeaders remove(String name) {
        return remove((CharSequence) name);
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        for (int i = 0; i < base.names.length; i++) {
            if (base.names[i].contentEqualsIgnoreCase(name)) hidden |= 1L << i;
        }
        int kept = 0;
        for (int i = 0; i < added; i++) {
            if (!AsciiString.contentEqualsIgnoreCase(extra[i].getKey(), name)) extra[kept++] = extra[i];
        }
        Arrays.fill(extra, kept, added, null);
        added = kept;
        return this;
    }

    @Override
    public HttpHeaders clear() {
        hidden = base.names.length == MAX_FIELDS ? -1L : (1L << base.names.length) - 1;
        Arrays.fill(extra, 0, added, null);
        added = 0;
        return this;
    }
}
