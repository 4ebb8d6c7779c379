package io.requestflow.firewall.waf;

/**
 * Query pairs {@code name=value} (their text, and the name and value their parser decodes it to) of requests on
 * which no rule matched anywhere, while the target was inspected as its pieces ({@link UriPieces}): so the pair's
 * three values were all inspected clean, or known clean, in one clean request: the target's piece
 * {@code name=value} (kind {@code URI}), the argument name ({@code ARG_NAME}) and the argument ({@code ARG} under
 * that name). A remembered pair stands for all three with one lookup instead of one per value: a shop's query is
 * new combinations of the same few pairs, each looked up three times in {@link CleanValueMemo}, and in the hop
 * each lookup is a few cache misses (slot, key, strings). It changes no verdict for the reason the clean-value
 * memo changes none: each of the three values' own checks depends only on its kind, name and text and the WAF's
 * fixed level, and decoding is a function of the text. Bounded and lock-free as {@link CleanValueMemo}: a fixed
 * table, immutable entries.
 */
final class CleanPairMemo {
    /**
     * A remembered pair: its text's name and value ({@code rawName}, {@code rawValue}, what a lookup compares) and
     * the decoded strings the argument's targets hold when it is found again ({@code name}, {@code value}: the same
     * strings when the text has no {@code %} or {@code +}, as in a Referer's pairs, which are not decoded).
     */
    record Pair(String rawName, String rawValue, String name, String value, int hash) {}

    private final Pair[] slots;
    /** Each slot's hash beside the table, as in {@link CleanValueMemo}. */
    private final int[] hashes;
    private final int mask;

    /** @param entries slots in the table, rounded up to a power of two; 0 turns the memo off */
    CleanPairMemo(int entries) {
        int n = entries <= 0 ? 0 : Integer.highestOneBit(Math.max(1, entries - 1)) << 1;
        this.slots = new Pair[n];
        this.hashes = new int[n];
        this.mask = n - 1;
    }

    boolean enabled() {
        return slots.length > 0;
    }

    /** The remembered pair whose name is {@code text[start, eq)} and value {@code text[eq + 1, end)}, or null. */
    Pair clean(String text, int start, int eq, int end) {
        if (slots.length == 0 || end - start > CleanValueMemo.MAX_VALUE_CHARS) return null;
        int h = CleanValueMemo.hash(Target.Kind.ARG, text, eq + 1, end, text, start, eq);
        if (hashes[h & mask] != h) return null;
        Pair p = slots[h & mask];
        return p != null && p.hash == h && p.rawName.length() == eq - start && p.rawValue.length() == end - eq - 1
                && p.rawValue.regionMatches(0, text, eq + 1, end - eq - 1)
                && p.rawName.regionMatches(0, text, start, eq - start) ? p : null;
    }

    /** Remembers the pair {@code text[start, eq)}, {@code text[eq + 1, end)} of a clean request (see above), undecoded. */
    void rememberClean(String text, int start, int eq, int end) {
        rememberClean(text, start, eq, end, null, null);
    }

    /**
     * Remembers the pair {@code text[start, eq)}, {@code text[eq + 1, end)} of a clean request (see above) with the
     * name and value its parser decoded it to; null for either when it is its text.
     */
    void rememberClean(String text, int start, int eq, int end, String name, String value) {
        if (slots.length == 0 || end - start > CleanValueMemo.MAX_VALUE_CHARS || clean(text, start, eq, end) != null) return;
        int h = CleanValueMemo.hash(Target.Kind.ARG, text, eq + 1, end, text, start, eq);
        String rawName = text.substring(start, eq);
        String rawValue = text.substring(eq + 1, end);
        slots[h & mask] = new Pair(rawName, rawValue, name == null ? rawName : name, value == null ? rawValue : value, h);
        hashes[h & mask] = h;
    }

    /** A request's pairs not found here, by where they lie, to remember if nothing fires on the request. */
    static final class Pending {
        private String[] texts = new String[4];
        /** Each pair's decoded name and value, or nulls when they are its text. */
        private String[] decoded = new String[8];
        private int[] bounds = new int[12];
        private int count;

        /** The pair {@code text[start, eq)}, {@code text[eq + 1, end)}, its own name and value. */
        void add(String text, int start, int eq, int end) {
            add(text, start, eq, end, null, null);
        }

        /** The pair {@code text[start, eq)}, {@code text[eq + 1, end)}, decoded to {@code name} and {@code value}. */
        void add(String text, int start, int eq, int end, String name, String value) {
            if (count == texts.length) {
                texts = java.util.Arrays.copyOf(texts, count * 2);
                decoded = java.util.Arrays.copyOf(decoded, count * 4);
                bounds = java.util.Arrays.copyOf(bounds, count * 6);
            }
            decoded[2 * count] = name;
            decoded[2 * count + 1] = value;
            texts[count] = text;
            bounds[3 * count] = start;
            bounds[3 * count + 1] = eq;
            bounds[3 * count++ + 2] = end;
        }

        void rememberIn(CleanPairMemo memo) {
            for (int i = 0; i < count; i++) {
                memo.rememberClean(texts[i], bounds[3 * i], bounds[3 * i + 1], bounds[3 * i + 2], decoded[2 * i],
                        decoded[2 * i + 1]);
            }
        }
    }
}
