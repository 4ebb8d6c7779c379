package io.requestflow.firewall.waf;

import io.requestflow.firewall.waf.normalize.Normalizer;

import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * One inspected value of a request, after normalisation, with the rule-specific views of it (the
 * shell's view, SQL comments removed, ...) computed once per value and shared by the rules that use them.
 */
public final class Target {

    public enum Kind {
        /** a query, form, JSON, XML or multipart value */ ARG,
        /** the name of such a field */ ARG_NAME,
        COOKIE, COOKIE_NAME,
        /** a request header value that is free text (User-Agent, Referer, custom headers) */ HEADER,
        /** the decoded, dot-segment-resolved path */ PATH,
        /** the request target exactly as received */ URI,
        /** a body no parser understood, inspected whole */ BODY
    }

    private final Kind kind;
    private final String name;
    private final String raw;
    /** Normalised on first use: a value known clean is often never read (see {@link #knownClean}). */
    private String value;
    private final boolean knownClean;
    /** Views computed so far, by transform (a small list: a handful of transforms exist); allocated on first use. */
    private UnaryOperator<String>[] transforms;
    private String[] views;
    private int viewCount;
    /** Which ASCII characters the value contains (bit c of lo/hi), computed on first use. */
    private long lo;
    private long hi;
    private boolean masked;
    /**
     * Literal scans already done on this value's views (compared by identity), see {@link #literalHits}:
     * the first in fields (most values have one), any others in arrays allocated when needed.
     */
    private String firstScanned;
    private LiteralScanner firstScanner;
    private long[] firstHits;
    private String[] scannedViews;
    private LiteralScanner[] scanners;
    private long[][] hits;
    private int scanned;

    /**
     * @param name  the field name (argument, header or cookie name), or "" for whole parts
     * @param raw   the value as decoded once by its parser
     * @param value the normalised value rules match against (decoded, entity-decoded, NFKC, lower case)
     */
    public Target(Kind kind, String name, String raw, String value) {
        this.kind = kind;
        this.name = name;
        this.raw = raw;
        this.value = value;
        this.knownClean = false;
    }

    /**
     * A target whose value is normalised ({@link Normalizer#normalize}) when first read.
     *
     * @param knownClean the value's own checks are known to find nothing (see {@link CleanValueMemo})
     */
    Target(Kind kind, String name, String raw, boolean knownClean) {
        this.kind = kind;
        this.name = name;
        this.raw = raw;
        this.knownClean = knownClean;
    }

    @SuppressWarnings("unchecked")
    private static UnaryOperator<String>[] newTransforms(int n) {
        return new UnaryOperator[n];
    }

    public Kind kind() {
        return kind;
    }

    public String name() {
        return name;
    }

    public String raw() {
        return raw;
    }

    public String value() {
        String v = value;
        if (v == null) value = v = Normalizer.normalize(raw);
        return v;
    }

    /**
     * True when this value (kind, name and value) was seen in a request on which no rule matched
     * ({@link CleanValueMemo}): checks that read nothing but this value skip it; checks that combine it
     * with other parts of the request (argument counts and sizes, the Referer's host) still read it.
     */
    public boolean knownClean() {
        return knownClean;
    }

    /** The value through {@code transform} (a constant function), computed once per target. */
    public String view(UnaryOperator<String> transform) {
        if (transform == null) return value();
        for (int i = 0; i < viewCount; i++) if (transforms[i] == transform) return views[i];
        if (views == null) {
            transforms = newTransforms(8);
            views = new String[8];
        } else if (viewCount == views.length) {
            transforms = Arrays.copyOf(transforms, viewCount * 2);
            views = Arrays.copyOf(views, viewCount * 2);
        }
        String v = transform.apply(value());
        // a view equal to the value or to another view is that string: scanned once (literalHits)
        if (v.equals(value)) {
            v = value;
        } else {
            for (int i = 0; i < viewCount; i++) {
                if (views[i].equals(v)) {
                    v = views[i];
                    break;
                }
            }
        }
        transforms[viewCount] = transform;
        views[viewCount++] = v;
        return v;
    }

    /**
     * Which of the scanner's literals occur in {@code view} (this value or one of its views), scanned
     * once per distinct view string and kept for the other rules that ask.
     */
    public long[] literalHits(LiteralScanner scanner, String view) {
        if (firstScanned == view && firstScanner == scanner) return firstHits;
        if (firstScanned == null) {
            firstHits = scanner.scan(view);
            firstScanned = view;
            firstScanner = scanner;
            return firstHits;
        }
        for (int i = 0; i < scanned; i++) {
            if (scannedViews[i] == view && scanners[i] == scanner) return hits[i];
        }
        if (scannedViews == null) {
            scannedViews = new String[2];
            scanners = new LiteralScanner[2];
            hits = new long[2][];
        } else if (scanned == scannedViews.length) {
            int n = scanned * 2;
            scannedViews = Arrays.copyOf(scannedViews, n);
            scanners = Arrays.copyOf(scanners, n);
            hits = Arrays.copyOf(hits, n);
        }
        long[] h = scanner.scan(view);
        scannedViews[scanned] = view;
        scanners[scanned] = scanner;
        hits[scanned++] = h;
        return h;
    }

    /** True if the normalised value contains any ASCII character of the mask (see {@link #maskOf}). */
    public boolean containsAny(long maskLo, long maskHi) {
        if (!masked) mask();
        return (lo & maskLo) != 0 || (hi & maskHi) != 0;
    }

    /** Bit c set for each ASCII character c below 64 in the normalised value. */
    public long charsLo() {
        if (!masked) mask();
        return lo;
    }

    /** Bit c - 64 set for each ASCII character c from 64 to 127 in the normalised value. */
    public long charsHi() {
        if (!masked) mask();
        return hi;
    }

    private void mask() {
        long l = 0;
        long h = 0;
        String value = value();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 64) l |= 1L << c;
            else if (c < 128) h |= 1L << (c - 64);
        }
        lo = l;
        hi = h;
        masked = true;
    }

    /** {low, high} bit masks for the ASCII characters in {@code chars}. */
    public static long[] maskOf(String chars) {
        long[] m = new long[2];
        for (int i = 0; i < chars.length(); i++) {
            char c = chars.charAt(i);
            if (c < 64) m[0] |= 1L << c;
            else if (c < 128) m[1] |= 1L << (c - 64);
        }
        return m;
    }

    public String location() {
        return name.isEmpty() ? kind.name() : kind.name() + ":" + name;
    }

    @Override
    public String toString() {
        return location() + "=" + value();
    }
}
