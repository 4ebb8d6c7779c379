package io.requestflow.gateway;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens whose signature and claims were already verified, so a client that sends the same token again
 * skips the ES256 signature check (the dominant cost of the gateway hop) and the claim parsing. Keyed by
 * the exact {@code Authorization} header value, so a request is matched without cutting the token out of
 * it; only the plain form {@code "Bearer " + token} is stored, which bounds an entry by the size of a token
 * the auth service issued. Expiry is still checked on every use, and the deny list is still consulted
 * every time; an entry lives at most {@code ttlSeconds}. Bounded: when full, the map is cleared.
 */
public final class VerifiedTokens {
    static final int MAX_ENTRIES = 20_000;
    static final String BEARER = "Bearer ";

    private record Entry(VerifiedToken token, long expiresAtNanos) {}

    private final long ttlNanos;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    public VerifiedTokens(long ttlSeconds) {
        this.ttlNanos = ttlSeconds * 1_000_000_000L;
    }

    /** The verified token this exact {@code Authorization} header value carries, or null. */
    public VerifiedToken get(String authorization) {
        if (ttlNanos <= 0) return null;
        Entry e = entries.get(authorization);
        if (e == null) return null;
        if (System.nanoTime() - e.expiresAtNanos() >= 0) {
            entries.remove(authorization, e);
            return null;
        }
        return e.token();
    }

    /** Remembers {@code token}, verified from {@code authorization}, when that header is the plain form. */
    public void put(String authorization, String token, VerifiedToken verified) {
        if (ttlNanos <= 0) return;
        if (authorization.length() != BEARER.length() + token.length() || !authorization.startsWith(BEARER)
                || !authorization.endsWith(token)) {
            return; // "bearer", extra spaces: verified every time, never stored under a variant spelling
        }
        if (entries.size() >= MAX_ENTRIES) entries.clear();
        entries.put(authorization, new Entry(verified, System.nanoTime() + ttlNanos));
    }
}
