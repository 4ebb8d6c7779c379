package io.requestflow.edge;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaders;

import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * How long a stored response stays fresh and how old it is (RFC 9111 section 4.2). The edge is a CDN,
 * so {@code CDN-Cache-Control} (RFC 9213), when present and not empty, replaces {@code Cache-Control}
 * for every decision the edge makes.
 */
public final class Freshness {
    /** Final statuses a cache may give heuristic freshness to (RFC 9110 section 15.1). */
    static final Set<Integer> HEURISTIC = Set.of(200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501);

    private final long heuristicMaxSeconds;

    public Freshness(long heuristicMaxSeconds) {
        this.heuristicMaxSeconds = heuristicMaxSeconds;
    }

    /** The directives this cache obeys: CDN-Cache-Control when it has any, otherwise Cache-Control. */
    public static CacheControl effective(HttpHeaders response) {
        CacheControl cdn = CacheControl.parse(response.getAll("cdn-cache-control"));
        return cdn.isEmpty() ? CacheControl.parse(response.getAll("cache-control")) : cdn;
    }

    /** Whether the response states its freshness itself rather than leaving it to a heuristic. */
    public static boolean explicit(HttpHeaders response, CacheControl cc) {
        return cc.has("s-maxage") || cc.has("max-age") || response.contains("expires");
    }

    /** Freshness lifetime in seconds (section 4.2.1): s-maxage, max-age, Expires - Date, or a heuristic. */
    public long lifetimeSeconds(int status, HttpHeaders response, CacheControl cc, long responseTimeMs) {
        long s = cc.seconds("s-maxage");
        if (s >= 0) return s;
        s = cc.seconds("max-age");
        if (s >= 0) return s;
        List<String> expires = response.getAll("expires");
        if (!expires.isEmpty()) {
            Date e = expires.size() == 1 ? DateFormatter.parseHttpDate(expires.getFirst()) : null;
            if (e == null) return 0; // an unparseable (or repeated) Expires means already expired
            return Math.max(0, (e.getTime() - dateMs(response, responseTimeMs)) / 1000);
        }
        if (HEURISTIC.contains(status) || cc.has("public")) {
            Date lm = DateFormatter.parseHttpDate(String.valueOf(response.get("last-modified")));
            if (lm != null) {
                long since = dateMs(response, responseTimeMs) - lm.getTime();
                if (since > 0) return Math.min(heuristicMaxSeconds, since / 1000 / 10);
            }
        }
        return 0;
    }

    /**
     * The age the response already had when it arrived (section 4.2.3: the larger of the apparent age
     * and Age corrected for the request's own delay), in milliseconds.
     */
    public static long correctedInitialAgeMs(HttpHeaders response, long requestTimeMs, long responseTimeMs) {
        long apparent = Math.max(0, responseTimeMs - dateMs(response, responseTimeMs));
        long corrected = ageSeconds(response) * 1000 + (responseTimeMs - requestTimeMs);
        return Math.max(apparent, corrected);
    }

    /** Age in seconds; only the first member counts, an invalid value is ignored (section 5.1). */
    static long ageSeconds(HttpHeaders response) {
        String age = response.get("age");
        if (age == null) return 0;
        int comma = age.indexOf(',');
        String first = (comma >= 0 ? age.substring(0, comma) : age).trim();
        if (first.isEmpty() || !first.chars().allMatch(Character::isDigit)) return 0;
        return CacheControl.deltaSeconds(first);
    }

    private static long dateMs(HttpHeaders response, long fallback) {
        String date = response.get("date");
        Date d = date == null ? null : DateFormatter.parseHttpDate(date);
        return d == null ? fallback : d.getTime();
    }
}
