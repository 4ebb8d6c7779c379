package io.requestflow.firewall.waf;

/**
 * Values of a request (by kind, field name and value as its parser decoded it) that a whole request was
 * inspected with while no rule matched anywhere in it, so none of that value's own checks found
 * anything: browsers and forms send the same few values again and again (User-Agent, a theme cookie,
 * a page number, the path), and those checks need not run again. Only such clean verdicts are kept,
 * and a value's own checks depend on nothing but its kind, name and value (and the WAF's fixed level),
 * so skipping a remembered one changes no outcome: an attacker can only add values that are clean anyway.
 * Bounded: a fixed table of {@code entries} slots, a new value replacing whatever shared its slot;
 * values longer than {@link #MAX_VALUE_CHARS} are never kept. Safe without locks: slots hold immutable keys.
 */
public final class CleanValueMemo {
    /** Longer values are inspected every time (they are rare in real traffic and costly to keep). */
    public static final int MAX_VALUE_CHARS = 512;

    private record Key(Target.Kind kind, String name, String value, int hash) {}

    private final Key[] slots;
    /**
     * Each slot's hash beside the table, so a value not remembered (most are new) is turned away from one
     * compact array without touching the key objects scattered over the heap. A slot's hash and key are
     * written separately: a reader may see a hash with another key, and then compares that key in full.
     */
    private final int[] hashes;
    private final int mask;

    /** @param entries slots in the table, rounded up to a power of two; 0 turns the memo off */
    public CleanValueMemo(int entries) {
        int n = entries <= 0 ? 0 : Integer.highestOneBit(Math.max(1, entries - 1)) << 1;
        this.slots = new Key[n];
        this.hashes = new int[n];
        this.mask = n - 1;
    }

    public boolean enabled() {
        return slots.length > 0;
    }

    /** True if this value was seen, as this kind of value under this name, in a request where no rule matched. */
    public boolean isClean(Target.Kind kind, String name, String value) {
        if (slots.length == 0 || value.length() > MAX_VALUE_CHARS) return false;
        int h = hash(kind, name, value);
        if (hashes[h & mask] != h) return false;
        Key k = slots[h & mask];
        return k != null && k.hash == h && k.kind == kind && k.value.equals(value) && k.name.equals(name);
    }

    /**
     * {@link #isClean} for the value {@code text[from, to)}, read in place: a request's pieces (a Referer's, a
     * query's, a cookie header's) are mostly remembered, and a string made for each only to look it up was
     * most of what taking a request apart allocated.
     *
     * @return the remembered value equal to that region, or null when it is not remembered
     */
    public String cleanValue(Target.Kind kind, String name, String text, int from, int to) {
        int n = to - from;
        if (slots.length == 0 || n > MAX_VALUE_CHARS) return null;
        int h = hash(kind, name, text, from, to);
        if (hashes[h & mask] != h) return null;
        Key k = slots[h & mask];
        return k != null && k.hash == h && k.kind == kind && k.value.length() == n
                && k.value.regionMatches(0, text, from, n) && k.name.equals(name) ? k.value : null;
    }

    /**
     * {@link #cleanValue} for a name inspected as its own value (argument and cookie names, whose targets have the
     * name as both), read in place.
     */
    public String cleanName(Target.Kind kind, String text, int from, int to) {
        int n = to - from;
        if (slots.length == 0 || n > MAX_VALUE_CHARS) return null;
        int h = hash(kind, text, from, to, text, from, to);
        if (hashes[h & mask] != h) return null;
        Key k = slots[h & mask];
        return k != null && k.hash == h && k.kind == kind && k.value.length() == n
                && k.value.regionMatches(0, text, from, n) && k.name.equals(k.value) ? k.value : null;
    }

    /** Remembers a value of a request on which no rule matched at all. */
    public void rememberClean(Target.Kind kind, String name, String value) {
        if (slots.length == 0 || value.length() > MAX_VALUE_CHARS) return;
        int h = hash(kind, name, value);
        if (hashes[h & mask] == h) {
            Key k = slots[h & mask];
            if (k != null && k.hash == h && k.kind == kind && k.value.equals(value) && k.name.equals(name)) return;
        }
        slots[h & mask] = new Key(kind, name, value, h);
        hashes[h & mask] = h;
    }

    /**
     * The slot's hash from the length and at most 16 characters at both ends, not the whole value: most
     * values are new (the target, a Referer, a session id) and hashing them whole costs as much as a
     * check; values that share the sampled characters only share a slot (equals decides a hit).
     */
    private static int hash(Target.Kind kind, String name, String value) {
        return hash(kind, value, 0, value.length(), name, 0, name.length());
    }

    private static int hash(Target.Kind kind, String name, String text, int from, int to) {
        return hash(kind, text, from, to, name, 0, name.length());
    }

    /** The value is {@code text[from, to)}, the name {@code names[nameFrom, nameTo)}. */
    static int hash(Target.Kind kind, String text, int from, int to, String names, int nameFrom, int nameTo) {
        int h = (kind.ordinal() * 31 + (nameTo - nameFrom)) * 31 + (to - from);
        int n = to - from;
        for (int i = 0; i < Math.min(8, n); i++) h = h * 31 + text.charAt(from + i);
        for (int i = Math.max(8, n - 8); i < n; i++) h = h * 31 + text.charAt(from + i);
        for (int i = 0; i < Math.min(4, nameTo - nameFrom); i++) h = h * 31 + names.charAt(nameFrom + i);
        return h ^ (h >>> 16);
    }
}
