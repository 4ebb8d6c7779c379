package io.requestflow.edge;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The directives of a {@code Cache-Control} (or {@code CDN-Cache-Control}) field, parsed tolerantly:
 * unknown directives are kept and ignored, names are case-insensitive, quoted values are unquoted, the
 * first occurrence of a repeated directive wins (RFC 9111 section 4.2.1), and a malformed number is
 * reported as 0 so the response counts as stale rather than fresh (sections 1.2.2 and 4.2.1).
 */
public final class CacheControl {
    public static final CacheControl EMPTY = new CacheControl(Map.of());
    /** Delta-seconds above 2^31 are capped to it (RFC 9111 section 1.2.2). */
    static final long MAX_DELTA = 2_147_483_648L;

    private final Map<String, String> directives;

    private CacheControl(Map<String, String> directives) {
        this.directives = directives;
    }

    /** Parses every field line; null or empty input gives {@link #EMPTY}. */
    public static CacheControl parse(List<String> lines) {
        if (lines == null || lines.isEmpty()) return EMPTY;
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : lines) parseLine(line, out);
        return out.isEmpty() ? EMPTY : new CacheControl(Collections.unmodifiableMap(out));
    }

    private static void parseLine(String line, Map<String, String> out) {
        int i = 0;
        int n = line.length();
        while (i < n) {
            int start = i;
            boolean quoted = false;
            while (i < n && (quoted || line.charAt(i) != ',')) {
                if (line.charAt(i) == '"') quoted = !quoted;
                i++;
            }
            directive(line.substring(start, i), out);
            i++; // past the comma
        }
    }

    private static void directive(String text, Map<String, String> out) {
        String t = text.trim();
        if (t.isEmpty()) return;
        int eq = t.indexOf('=');
        String name = (eq < 0 ? t : t.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
        if (name.isEmpty()) return;
        String value = null;
        if (eq >= 0) {
            value = t.substring(eq + 1).trim();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
        }
        out.putIfAbsent(name, value);
    }

    public boolean has(String name) {
        return directives.containsKey(name);
    }

    public boolean isEmpty() {
        return directives.isEmpty();
    }

    /** The directive's value (unquoted), or null when absent or bare. */
    public String value(String name) {
        return directives.get(name);
    }

    /** A delta-seconds directive: -1 when absent, 0 when present but not a non-negative integer. */
    public long seconds(String name) {
        if (!directives.containsKey(name)) return -1;
        return deltaSeconds(directives.get(name));
    }

    /** A non-negative integer, capped at 2^31; 0 for anything else. */
    static long deltaSeconds(String value) {
        if (value == null || value.isEmpty()) return 0;
        long v = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') return 0;
            v = v * 10 + (c - '0');
            if (v > MAX_DELTA) return MAX_DELTA;
        }
        return v;
    }

    @Override
    public String toString() {
        return directives.toString();
    }
}
