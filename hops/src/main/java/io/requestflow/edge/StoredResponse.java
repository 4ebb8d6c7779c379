package io.requestflow.edge;

import io.netty.handler.codec.http.HttpHeaders;

import java.util.Map;
import java.util.Set;

/**
 * One response in the edge cache, with what reuse decisions need precomputed when it is stored: its
 * directives, freshness lifetime, the age it arrived with, the request header values its {@code Vary}
 * names, its surrogate keys, and the gzip form of its body when it compresses.
 *
 * @param headers      the response headers as stored (connection and per-hop headers removed); never mutated
 * @param gzip         the body gzipped once at store time, or null
 * @param responseTimeMs    when the response (or the 304 that refreshed it) arrived, epoch ms
 * @param initialAgeMs the corrected initial age (RFC 9111 section 4.2.3)
 * @param varyValues   request header name (lower case) → value (null when absent), for the names in Vary
 * @param hit          what a hit adds to the stored bytes, prepared once (see {@link HitFields})
 */
public record StoredResponse(int status, HttpHeaders headers, byte[] body, byte[] gzip, CacheControl cc,
                             long lifetimeSeconds, long responseTimeMs, long initialAgeMs,
                             Map<String, String> varyValues, Set<String> surrogateKeys, String path, HitFields hit) {

    public StoredResponse(int status, HttpHeaders headers, byte[] body, byte[] gzip, CacheControl cc,
                          long lifetimeSeconds, long responseTimeMs, long initialAgeMs,
                          Map<String, String> varyValues, Set<String> surrogateKeys, String path) {
        this(status, headers, body, gzip, cc, lifetimeSeconds, responseTimeMs, initialAgeMs, varyValues,
                surrogateKeys, path, new HitFields(headers, body, gzip));
    }

    /** Current age in whole seconds at {@code nowMs}. */
    public long ageSeconds(long nowMs) {
        return Math.max(0, initialAgeMs + (nowMs - responseTimeMs)) / 1000;
    }

    /** Seconds of freshness left at {@code nowMs}; negative once stale. */
    public long ttlSeconds(long nowMs) {
        return lifetimeSeconds - ageSeconds(nowMs);
    }

    /** The response must not be reused stale without revalidating (must-revalidate, proxy-revalidate, s-maxage). */
    public boolean mustRevalidate() {
        return cc.has("must-revalidate") || cc.has("proxy-revalidate") || cc.has("s-maxage");
    }

    /** Stored, but every reuse needs a successful revalidation first (no-cache). */
    public boolean noCache() {
        return cc.has("no-cache");
    }

    public boolean hasValidator() {
        return headers.contains("etag") || headers.contains("last-modified");
    }

    /**
     * Bytes this entry holds, roughly: bodies plus header text, twice (the header map revalidation merges
     * into, and the fields encoded for hits).
     */
    public int weight() {
        int h = 0;
        for (Map.Entry<String, String> e : headers) h += e.getKey().length() + e.getValue().length() + 4;
        return body.length + (gzip == null ? 0 : gzip.length) + 2 * h + 128;
    }
}
