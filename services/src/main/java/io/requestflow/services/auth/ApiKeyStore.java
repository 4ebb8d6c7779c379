package io.requestflow.services.auth;

import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.services.Sql;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * API keys: created with a usage plan, stored only as a SHA-256 hash (a key is 256 random bits, so a
 * fast hash is enough: there is nothing to guess), shown once, looked up by the gateway by hash.
 */
public final class ApiKeyStore {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Sql sql;

    public ApiKeyStore(Sql sql) {
        this.sql = sql;
    }

    /** Creates a key; the returned map holds the secret, which is not stored anywhere. */
    public Map<String, Object> create(Exchange ex, String plan, String owner) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        byte[] idBytes = new byte[6];
        RANDOM.nextBytes(idBytes);
        String id = "key_" + HexFormat.of().formatHex(idBytes);
        String key = "rfk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        sql.update(ex, "INSERT api_keys", "INSERT INTO api_keys (id, key_hash, plan, owner) VALUES (?, ?, ?, ?)",
                id, RefreshTokens.hash(key), plan, owner);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id);
        out.put("key", key);
        out.put("plan", plan);
        return out;
    }

    /** The key with this hash: {@code {id, plan, active}}, or null. */
    public Map<String, Object> lookup(Exchange ex, String hash) {
        List<Map<String, Object>> rows = sql.query(ex, "SELECT api_keys", "SELECT id, plan, revoked_at IS NULL"
                + " FROM api_keys WHERE key_hash = ?", rs -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", rs.getString(1));
                    m.put("plan", rs.getString(2));
                    m.put("active", rs.getBoolean(3));
                    return m;
                }, hash);
        return rows.isEmpty() ? null : rows.getFirst();
    }

    public boolean revoke(Exchange ex, String id) {
        return sql.update(ex, "UPDATE api_keys", "UPDATE api_keys SET revoked_at = now() WHERE id = ? AND revoked_at IS NULL", id) > 0;
    }
}
