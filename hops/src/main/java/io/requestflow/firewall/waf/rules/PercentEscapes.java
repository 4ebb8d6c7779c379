package io.requestflow.firewall.waf.rules;

/**
 * What the percent escapes of a target (or a form body) say, in one pass that visits each '%' once and
 * copies nothing: every request's target goes through it, and three separate searches and a copied-out
 * byte array for the UTF-8 decoder had been a quarter of what the WAF costs a request whose values are all
 * known clean.
 */
public final class PercentEscapes {
    /** A '%' followed by neither two hex digits nor 'u' and four ({@code %(?![0-9a-fA-F]{2}|[uU][0-9a-fA-F]{4})}). */
    public static final int BAD_ESCAPE = 1;
    /** A full-width {@code %uff..} escape (case-insensitive). */
    public static final int FULL_WIDTH = 2;
    /**
     * The bytes the string stands for are not well-formed UTF-8 (Unicode's table 3-7: an overlong form, a
     * surrogate, a code point above U+10FFFF, a cut sequence), as the JDK's strict decoder judges them: each
     * escape of two digits (as {@link Character#digit} reads them) is its byte, any other character its own
     * UTF-8, a lone surrogate '?' (as {@code String.getBytes} writes it).
     */
    public static final int NOT_UTF8 = 4;

    private PercentEscapes() {}

    /** The flags above that hold for {@code s}. */
    public static int of(String s) {
        int flags = 0;
        int need = 0; // UTF-8 continuation bytes still owed by the sequence under way
        int lo = 0x80;
        int hi = 0xBF; // the range the next continuation byte must fall in
        int n = s.length();
        // before the first '%' nothing can be flagged: a character there is its own (well-formed) UTF-8 and no
        // sequence is under way, so the loop starts there (most targets have none: the JDK's vectorised search)
        for (int i = s.indexOf('%'); i >= 0 && i < n; i++) {
            char c = s.charAt(i);
            int b;
            if (c == '%') {
                // the two characters after it, each its ASCII hex value or -1: one table read each (most escapes)
                int h1 = i + 1 < n ? hex(s.charAt(i + 1)) : -1;
                int h2 = i + 2 < n ? hex(s.charAt(i + 2)) : -1;
                if ((h1 | h2) < 0) { // not two ASCII hex digits
                    if (!(i + 1 < n && (s.charAt(i + 1) | 0x20) == 'u' && hexDigits(s, i + 2, 4))) flags |= BAD_ESCAPE;
                    if (i + 3 < n && (s.charAt(i + 1) | 0x20) == 'u' && (s.charAt(i + 2) | 0x20) == 'f'
                            && (s.charAt(i + 3) | 0x20) == 'f') {
                        flags |= FULL_WIDTH;
                    }
                    // the decoder reads other digits too (Character.digit: full-width, Arabic-Indic, ...)
                    if (i + 2 < n && (h1 = Character.digit(s.charAt(i + 1), 16)) >= 0
                            && (h2 = Character.digit(s.charAt(i + 2), 16)) >= 0) {
                        b = h1 * 16 + h2;
                        i += 2;
                    } else {
                        b = '%';
                    }
                } else {
                    b = h1 * 16 + h2;
                    i += 2; // two digits, neither of them a '%'
                }
            } else if (c < 0x80) {
                b = c;
            } else if (Character.isSurrogate(c)) {
                b = '?';
            } else {
                // a character of its own: well formed, but it cannot continue a sequence an escape started
                if (need > 0) {
                    flags |= NOT_UTF8;
                    need = 0;
                }
                continue;
            }
            if (need > 0) {
                if (b < lo || b > hi) {
                    flags |= NOT_UTF8;
                    need = 0;
                    lo = 0x80;
                    hi = 0xBF;
                    continue;
                }
                need--;
                lo = 0x80;
                hi = 0xBF;
            } else if (b >= 0x80) {
                if (b >= 0xC2 && b <= 0xDF) {
                    need = 1;
                } else if (b >= 0xE0 && b <= 0xEF) {
                    need = 2;
                    if (b == 0xE0) lo = 0xA0; // shorter forms are overlong
                    if (b == 0xED) hi = 0x9F; // ED A0.. are surrogates
                } else if (b >= 0xF0 && b <= 0xF4) {
                    need = 3;
                    if (b == 0xF0) lo = 0x90; // overlong
                    if (b == 0xF4) hi = 0x8F; // above U+10FFFF
                } else {
                    flags |= NOT_UTF8; // a continuation byte first, C0/C1 (overlong) or F5..FF
                }
            }
        }
        if (need > 0) flags |= NOT_UTF8;
        return flags;
    }

    /** Each ASCII character's hex value, -1 for the rest. */
    private static final byte[] HEX = new byte[128];

    static {
        java.util.Arrays.fill(HEX, (byte) -1);
        for (int d = 0; d < 16; d++) {
            HEX["0123456789abcdef".charAt(d)] = (byte) d;
            HEX["0123456789ABCDEF".charAt(d)] = (byte) d;
        }
    }

    private static int hex(char c) {
        return c < 128 ? HEX[c] : -1;
    }

    /** {@code [0-9a-fA-F]{count}} at {@code from}. */
    private static boolean hexDigits(String s, int from, int count) {
        if (from + count > s.length()) return false;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
        }
        return true;
    }
}
