package io.requestflow.gateway;

import com.nimbusds.jwt.JWTClaimsSet;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens whose signature and claims were already verified, keyed by the exact token text, so a client
 * that sends the same token again skips the ES256 signature check (the dominant cost of the gateway
 * hop). Expiry is still checked on every use, and the deny list is still asked every time; an entry
 * lives at most {@code ttlSeconds}. Bounded: when full, the map is cleared.
 */
public final class VerifiedTokens {
    static final int MAX_ENTRIES = 20_000;

    private record Entry(JWTClaimsSet claims, long expiresAtNanos) {}

    private final long ttlNanos;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    public VerifiedTokens(long ttlSeconds) {
        this.ttlNanos = ttlSeconds * 1_000_000_000L;
    }

    /** The verified claims of this exact token, or null. */
    public JWTClaimsSet get(String token) {
        if (ttlNanos <= 0) return null;
        Entry e = entries.get(token);
        if (e == null) return null;
        if (System.nanoTime() - e.expiresAtNanos() >= 0) {
            entries.remove(token, e);
            return null;
        }
        return e.claims();
    }

    public void put(String token, JWTClaimsSet claims) {
        if (ttlNanos <= 0) return;
        if (entries.size() >= MAX_ENTRIES) entries.clear();
        entries.put(token, new Entry(claims, System.nanoTime() + ttlNanos));
    }
}
