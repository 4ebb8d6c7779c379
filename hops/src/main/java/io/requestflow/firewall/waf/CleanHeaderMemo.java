package io.requestflow.firewall.waf;

/**
 * Free-text header values (User-Agent, Referer, custom headers) that a whole request was inspected with
 * and no rule matched anywhere in it, so the header's own checks found nothing: browsers send the same
 * few values on every request, and their checks need not run again. Only such clean verdicts are kept,
 * and every check on a header target depends on nothing but the header's name and value, so skipping a
 * remembered one changes no outcome (an attacker can only add values that are clean anyway).
 * Bounded: a fixed table of {@code entries} slots, a new value replacing whatever shared its slot;
 * values longer than {@link #MAX_VALUE_CHARS} are never kept. Safe without locks: slots hold immutable keys.
 */
public final class CleanHeaderMemo {
    /** Longer values are inspected every time (they are rare in real traffic and costly to keep). */
    public static final int MAX_VALUE_CHARS = 512;

    private record Key(String name, String value, int hash) {}

    private final Key[] slots;
    private final int mask;

    /** @param entries slots in the table, rounded up to a power of two; 0 turns the memo off */
    public CleanHeaderMemo(int entries) {
        int n = entries <= 0 ? 0 : Integer.highestOneBit(Math.max(1, entries - 1)) << 1;
        this.slots = new Key[n];
        this.mask = n - 1;
    }

    public boolean enabled() {
        return slots.length > 0;
    }

    /** True if this header value was seen in a request where no rule matched. */
    public boolean isClean(String name, String value) {
        if (slots.length == 0 || value.length() > MAX_VALUE_CHARS) return false;
        int h = hash(name, value);
        Key k = slots[h & mask];
        return k != null && k.hash == h && k.value.equals(value) && k.name.equals(name);
    }

    /** Remembers a header value of a request on which no rule matched at all. */
    public void rememberClean(String name, String value) {
        if (slots.length == 0 || value.length() > MAX_VALUE_CHARS) return;
        int h = hash(name, value);
        slots[h & mask] = new Key(name, value, h);
    }

    private static int hash(String name, String value) {
        int h = name.hashCode() * 31 + value.hashCode();
        return h ^ (h >>> 16);
    }
}
