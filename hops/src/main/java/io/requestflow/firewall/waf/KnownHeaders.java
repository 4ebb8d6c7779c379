package io.requestflow.firewall.waf;

import io.netty.util.AsciiString;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The header names the rules know, found by the name as sent: its lower-case name and whether its value is
 * structured (checked by protocol rules, not matched as free text). One lookup of the sent name replaces making it a
 * String (the hop's decoder gives each name as an {@link AsciiString} of its own, so a new String per header per
 * request), lower-casing it and hashing that string again for the structured set.
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
    /** Free-text headers every browser sends, known here only for their lower-case name. */
    private static final Set<String> FREE_TEXT = Set.of("user-agent", "referer");

    /** A known name: lower case, and structured or not. */
    record Name(String lower, boolean structured) {}

    /** By lower-case name. */
    private static final Map<String, Name> BY_LOWER = new HashMap<>();
    /** By the usual spellings (lower case, Capitalised-Words, UPPER CASE) of each lower-case name. */
    private static final Map<String, Name> BY_SPELLING = new HashMap<>();
    /** The same as {@link AsciiString}s (their hash and equality are their own, not a String's). */
    private static final Map<AsciiString, Name> BY_ASCII = new HashMap<>();

    static {
        for (Set<String> names : List.of(STRUCTURED, FREE_TEXT)) {
            for (String lower : names) {
                Name n = new Name(lower, STRUCTURED.contains(lower));
                BY_LOWER.put(lower, n);
                for (String spelling : List.of(lower, capitalised(lower), lower.toUpperCase(Locale.ROOT))) {
                    BY_SPELLING.put(spelling, n);
                    BY_ASCII.put(new AsciiString(spelling), n);
                }
            }
        }
    }

    private KnownHeaders() {}

    /** The known name spelled exactly so, or null (then lower-case it and ask {@link #lowerCase}). */
    static Name spelled(CharSequence sent) {
        return sent instanceof AsciiString a ? BY_ASCII.get(a) : BY_SPELLING.get(sent.toString());
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
