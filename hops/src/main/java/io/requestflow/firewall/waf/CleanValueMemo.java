package io.requestflow.firewall.waf;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Values of a request (by kind, field name and value as its parser decoded it) that a whole request was
 * inspected with while no rule matched anywhere in it, so none of that value's own checks found
 * anything: browsers and forms send the same few values again and again (User-Agent, a theme cookie,
 * a page number, the path), and those checks need not run again. Only such clean verdicts are kept,
 * and a value's own checks depend on nothing but its kind, name and value (and the WAF's fixed level),
 * so skipping a remembered one changes no outcome: an attacker can only add values that are clean anyway.
 * Bounded: a fixed table of {@code entries} slots, a new value replacing whatever shared its slot;
 * values (or names) longer than {@link #MAX_VALUE_CHARS} are never kept. Safe without locks: a key is never
 * written after it is stored, and it is stored with release and read with acquire semantics, so a reader
 * sees it whole.
 */
public final class CleanValueMemo {
    /** Longer values are inspected every time (they are rare in real traffic and costly to keep). */
    public static final int MAX_VALUE_CHARS = 512;

    /**
     * Each slot's key flat in one array: the kind, the name's length, the name, the value. Deciding a hit
     * reads the slot and this one array; a key of objects (a record, two strings, their two arrays) cost
     * five reads at scattered places, each a cache miss in the hop, where the WAF's data has been evicted
     * between two requests (most of a request's values are remembered, so this is paid on almost all).
     */
    private final char[][] slots;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(char[][].class);
    /**
     * Each slot's hash beside the table, so a value not remembered (most are new) is turned away from one
     * compact array without reading the keys. A slot's hash and key are
     * written separately: a reader may see a hash with another key, and then compares that key in full.
     */
    private final int[] hashes;
    private final int mask;

    /** @param entries slots in the table, rounded up to a power of two; 0 turns the memo off */
    public CleanValueMemo(int entries) {
        int n = entries <= 0 ? 0 : Integer.highestOneBit(Math.max(1, entries - 1)) << 1;
        this.slots = new char[n][];
        this.hashes = new int[n];
        this.mask = n - 1;
    }

    public boolean enabled() {
        return slots.length > 0;
    }

    /** True if this value was seen, as this kind of value under this name, in a request where no rule matched. */
    public boolean isClean(Target.Kind kind, String name, String value) {
        if (slots.length == 0 || value.length() > MAX_VALUE_CHARS || name.length() > MAX_VALUE_CHARS) return false;
        int h = hash(kind, name, value);
        return hashes[h & mask] == h && matches((char[]) SLOT.getAcquire(slots, h & mask), kind, name, value);
    }

    /** Remembers a value of a request on which no rule matched at all. */
    public void rememberClean(Target.Kind kind, String name, String value) {
        if (slots.length == 0 || value.length() > MAX_VALUE_CHARS || name.length() > MAX_VALUE_CHARS) return;
        int h = hash(kind, name, value);
        if (hashes[h & mask] == h && matches((char[]) SLOT.getAcquire(slots, h & mask), kind, name, value)) return;
        char[] key = new char[2 + name.length() + value.length()];
        key[0] = (char) kind.ordinal();
        key[1] = (char) name.length();
        name.getChars(0, name.length(), key, 2);
        value.getChars(0, value.length(), key, 2 + name.length());
        SLOT.setRelease(slots, h & mask, key);
        hashes[h & mask] = h;
    }

    /** Whether a slot's key (null: empty) is this kind, name and value. */
    private static boolean matches(char[] key, Target.Kind kind, String name, String value) {
        int n = name.length();
        if (key == null || key.length != 2 + n + value.length() || key[0] != kind.ordinal() || key[1] != n) return false;
        for (int i = 0; i < n; i++) if (key[2 + i] != name.charAt(i)) return false;
        for (int i = 0, v = value.length(); i < v; i++) if (key[2 + n + i] != value.charAt(i)) return false;
        return true;
    }

    /**
     * The slot's hash from the length and at most 16 characters at both ends, not the whole value: most
     * values are new (the target, a Referer, a session id) and hashing them whole costs as much as a
     * check; values that share the sampled characters only share a slot (equals decides a hit).
     */
    private static int hash(Target.Kind kind, String name, String value) {
        int h = (kind.ordinal() * 31 + name.length()) * 31 + value.length();
        int n = value.length();
        for (int i = 0; i < Math.min(8, n); i++) h = h * 31 + value.charAt(i);
        for (int i = Math.max(8, n - 8); i < n; i++) h = h * 31 + value.charAt(i);
        for (int i = 0; i < Math.min(4, name.length()); i++) h = h * 31 + name.charAt(i);
        return h ^ (h >>> 16);
    }
}
