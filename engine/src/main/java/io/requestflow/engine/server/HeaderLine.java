package io.requestflow.engine.server;

/**
 * Reading a raw header line ({@code Name: value}, line ending stripped) as bytes, for the checks that run
 * before the codec ({@link RawRequestGuard} and the {@link RawRequestInspector}s): no text is made of a
 * line unless its value is needed.
 */
public final class HeaderLine {
    private HeaderLine() {}

    /** Index of the first ':' in the line {@code bytes[from, to)}, or -1. */
    public static int colon(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) if (bytes[i] == ':') return i;
        return -1;
    }

    /**
     * The name of the line starting at {@code start}, before {@code colon}, without blanks and controls around it,
     * is {@code lower} in any case (ASCII).
     */
    public static boolean named(byte[] line, int start, int colon, String lower) {
        int from = start;
        int to = colon;
        while (from < to && (line[from] & 0xff) <= ' ') from++;
        while (to > from && (line[to - 1] & 0xff) <= ' ') to--;
        if (to - from != lower.length()) return false;
        for (int k = 0; k < lower.length(); k++) {
            int c = line[from + k] & 0xff;
            if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
            if (c != lower.charAt(k)) return false;
        }
        return true;
    }
}
