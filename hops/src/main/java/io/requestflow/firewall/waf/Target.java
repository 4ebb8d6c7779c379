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
    /**
     * What inspecting the value works out once and shares between rules (views, character mask, literal scans):
     * allocated on first use, so the values known clean, most of a request's, stay a few fields.
     */
    private Scratch scratch;

    private static final class Scratch {
        /** Views computed so far, by transform (a small list: a handful of transforms exist); allocated on first use. */
        UnaryOperator<String>[] transforms;
        String[] views;
        int viewCount;
        /** Which ASCII characters the value contains (bit c of lo/hi), computed on first use. */
        long lo;
        long hi;
        /** Whether the value has a character outside ASCII. */
        boolean wide;
        boolean masked;
        /**
         * Literal scans already done on this value's views (compared by identity), see {@link Target#literalHits}:
         * the first in fields (most values have one), any others in arrays allocated when needed.
         */
        String firstScanned;
        LiteralScanner firstScanner;
        long[] firstHits;
        String[] scannedViews;
        LiteralScanner[] scanners;
        long[][] hits;
        int scanned;
    }

    private Scratch scratch() {
        Scratch s = scratch;
        if (s == null) scratch = s = new Scratch();
        return s;
    }

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
        if (transform == null) {
            masked(); // the rules read the value's characters next: the pass that masks it may find it is its own normal form
            return value;
        }
        if (transform instanceof QuietView q) {
            Scratch m = masked();
            if (q.leaves(m.lo, m.hi, m.wide)) return value(); // none of what the view reacts to: it is the value
        }
        Scratch s = scratch();
        for (int i = 0; i < s.viewCount; i++) if (s.transforms[i] == transform) return s.views[i];
        if (s.views == null) {
            s.transforms = newTransforms(8);
            s.views = new String[8];
        } else if (s.viewCount == s.views.length) {
            s.transforms = Arrays.copyOf(s.transforms, s.viewCount * 2);
            s.views = Arrays.copyOf(s.views, s.viewCount * 2);
        }
        String v = transform.apply(value());
        // a view equal to the value or to another view is that string: scanned once (literalHits)
        if (v.equals(value)) {
            v = value;
        } else {
            for (int i = 0; i < s.viewCount; i++) {
                if (s.views[i].equals(v)) {
                    v = s.views[i];
                    break;
                }
            }
        }
        s.transforms[s.viewCount] = transform;
        s.views[s.viewCount++] = v;
        return v;
    }

    /**
     * Which of the scanner's literals occur in {@code view} (this value or one of its views), scanned
     * once per distinct view string and kept for the other rules that ask.
     */
    public long[] literalHits(LiteralScanner scanner, String view) {
        Scratch s = scratch();
        if (s.firstScanned == view && s.firstScanner == scanner) return s.firstHits;
        if (s.firstScanned == null) {
            s.firstHits = scan(scanner, view);
            s.firstScanned = view;
            s.firstScanner = scanner;
            return s.firstHits;
        }
        for (int i = 0; i < s.scanned; i++) {
            if (s.scannedViews[i] == view && s.scanners[i] == scanner) return s.hits[i];
        }
        if (s.scannedViews == null) {
            s.scannedViews = new String[2];
            s.scanners = new LiteralScanner[2];
            s.hits = new long[2][];
        } else if (s.scanned == s.scannedViews.length) {
            int n = s.scanned * 2;
            s.scannedViews = Arrays.copyOf(s.scannedViews, n);
            s.scanners = Arrays.copyOf(s.scanners, n);
            s.hits = Arrays.copyOf(s.hits, n);
        }
        long[] h = scan(scanner, view);
        s.scannedViews[s.scanned] = view;
        s.scanners[s.scanned] = scanner;
        s.hits[s.scanned++] = h;
        return h;
    }

    /** The scan of {@code view}; of the value itself told its character mask, which answers for one-character literals. */
    private long[] scan(LiteralScanner scanner, String view) {
        if (view != value) return scanner.scan(view);
        Scratch m = masked();
        return scanner.scan(view, m.lo, m.hi);
    }

    /** True if the normalised value contains any ASCII character of the mask (see {@link #maskOf}). */
    public boolean containsAny(long maskLo, long maskHi) {
        Scratch s = masked();
        return (s.lo & maskLo) != 0 || (s.hi & maskHi) != 0;
    }

    /** Bit c set for each ASCII character c below 64 in the normalised value. */
    public long charsLo() {
        return masked().lo;
    }

    /** Bit c - 64 set for each ASCII character c from 64 to 127 in the normalised value. */
    public long charsHi() {
        return masked().hi;
    }

    /** True when the normalised value has a character outside ASCII. */
    public boolean nonAscii() {
        return masked().wide;
    }

    private Scratch masked() {
        Scratch s = scratch();
        if (s.masked) return s;
        String v = value;
        if (v == null) {
            // not normalised yet: a value of ASCII without anything normalising changes is its own normal form
            // (Normalizer.normalize gives back the same string), so one pass over it gives both
            mask(s, raw);
            if (!s.wide && (s.lo & NORMALISED_LO) == 0 && (s.hi & NORMALISED_HI) == 0) {
                value = raw;
                s.masked = true;
                return s;
            }
            v = value();
        }
        mask(s, v);
        s.masked = true;
        return s;
    }

    /**
     * The ASCII characters Normalizer.normalize reacts to in an ASCII value: '%' (URL decoding), '&' (entities),
     * '\' (JavaScript escapes), NUL (removed) and the capitals (lower-cased).
     */
    private static final long NORMALISED_LO = 1L << '%' | 1L << '&' | 1L;
    private static final long NORMALISED_HI = 1L << ('\\' - 64) | ((1L << 26) - 1) << ('A' - 64);

    /**
     * The characters of {@code v} into the scratch's mask, without a branch per character: a random session id
     * mixes digits (below 64) and letters (above), which a branch on each would guess wrong half the time.
     */
    private static void mask(Scratch s, String v) {
        long l = 0;
        long h = 0;
        boolean wide = false;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            long bit = 1L << c; // the shift takes c's low six bits
            long low = (c - 64) >> 31; // all ones when c < 64
            long ascii = (c - 128) >> 31; // all ones when c < 128
            l |= bit & low;
            h |= bit & ~low & ascii;
            wide |= c >= 128;
        }
        s.lo = l;
        s.hi = h;
        s.wide = wide;
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
