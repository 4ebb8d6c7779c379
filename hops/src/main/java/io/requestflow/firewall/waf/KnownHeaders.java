package io.requestflow.firewall.waf;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The header names the rules know, found by the name as sent: its lower-case name, whether its value is structured
 * (checked by protocol rules, not matched as free text) and a slot in a request's table of first values. One lookup
 * of the sent name replaces lower-casing it (a new string for a capitalised name) and hashing that string again for
 * the structured set; and the rules' lookups of these names read a slot instead of searching the names.
 */
final class KnownHeaders {
    /** Headers whose values are structured and checked by protocol rules, not matched as free text. */
    static final Set<String> STRUCTURED = Set.of("host", "accept", "accept-encoding",
            "accept-language", "accept-charset", "content-length", "content-type", "connection", "cache-control",
            "pragma", "authorization", "traceparent", "tracestate", "x-request-id", "x-forwarded-for",
            "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "forwarded", "if-none-match",
            "if-modified-since", "if-match", "if-unmodified-since", "if-range", "upgrade-insecure-requests", "te",
            "range", "keep-alive", "transfer-encoding", "cookie", "origin", "dnt", "priority", "server-timing",
            "expect", "content-encoding", "via", "date", "sec-fetch-site", "sec-fetch-mode", "sec-fetch-dest",
            "sec-fetch-user", "sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform", "x-real-ip");
    /** Free-text headers every browser sends, known here only for their lower-case name and slot. */
    private static final Set<String> FREE_TEXT = Set.of("user-agent", "referer");

    /** A known name: lower case, structured or not, and its slot in {@link #COUNT} first values. */
    record Name(String lower, boolean structured, int slot) {}

    /** By lower-case name. */
    private static final Map<String, Name> BY_LOWER = new HashMap<>();
    /** By the usual spellings (lower case, Capitalised-Words, UPPER CASE) of each lower-case name. */
    private static final Map<String, Name> BY_SPELLING = new HashMap<>();
    static final int COUNT;

    static {
        int slot = 0;
        for (Set<String> names : java.util.List.of(STRUCTURED, FREE_TEXT)) {
            for (String lower : names) {
                Name n = new Name(lower, STRUCTURED.contains(lower), slot++);
                BY_LOWER.put(lower, n);
                BY_SPELLING.put(lower, n);
                BY_SPELLING.put(capitalised(lower), n);
                BY_SPELLING.put(lower.toUpperCase(Locale.ROOT), n);
            }
        }
        COUNT = slot;
    }

    private KnownHeaders() {}

    /** The known name spelled exactly so, or null (then lower-case it and ask {@link #lowerCase}). */
    static Name spelled(String sent) {
        return BY_SPELLING.get(sent);
    }

    /** The known name of this lower-case name, or null. */
    static Name lowerCase(String lower) {
        return BY_LOWER.get(lower);
    }

    /** "x-forwarded-for" as "X-Forwarded-For". */
    static String capitalised(String lower) {
        char[] c = lower.toCharArray();
        for (int i = 0; i < c.length; i++) if (i == 0 || c[i - 1] == '-') c[i] = Character.toUpperCase(c[i]);
        return new String(c);
    }

    /** Every spelling known, for the tests. */
    static Map<String, Name> spellings() {
        return Map.copyOf(BY_SPELLING);
    }
}
