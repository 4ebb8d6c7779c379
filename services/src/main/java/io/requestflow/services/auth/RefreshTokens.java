package io.requestflow.services.auth;

import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.services.Sql;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * Rotating refresh tokens. Each login starts a family; each refresh marks the presented token used and
 * issues the next one in the family. Presenting a used (or revoked) token again is reuse — someone else
 * holds a copy — so the whole family is revoked, and the access tokens it issued are returned so the
 * caller can deny-list them. Only SHA-256 hashes are stored.
 */
public final class RefreshTokens {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** An issued access token, for deny-listing. */
    public record AccessToken(String jti, long expEpochSeconds) {}

    /** The outcome of presenting a refresh token. */
    public sealed interface Outcome {}

    /** Valid and now used: issue the next one in {@code family} for {@code userId}. */
    public record Rotated(long userId, UUID family) implements Outcome {}

    /** Reused: the family is revoked; these access tokens should be denied. */
    public record Reused(List<AccessToken> denied) implements Outcome {}

    /** Unknown, expired or revoked. */
    public record Invalid(String reason) implements Outcome {}

    private final Sql sql;
    private final long ttlSeconds;

    public RefreshTokens(Sql sql, long ttlSeconds) {
        this.sql = sql;
        this.ttlSeconds = ttlSeconds;
    }

    /** Stores a new refresh token for the family and returns the secret (shown to the client once). */
    public String issue(Exchange ex, long userId, UUID family, AccessToken access) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = "rt_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        sql.update(ex, "INSERT refresh_tokens", "INSERT INTO refresh_tokens (family, user_id, token_hash, access_jti,"
                + " access_exp, expires_at) VALUES (?, ?, ?, ?, to_timestamp(?), now() + make_interval(secs => ?))",
                family, userId, hash(token), access.jti(), access.expEpochSeconds(), (double) ttlSeconds);
        return token;
    }

    public Outcome present(Exchange ex, String token) {
        String hash = hash(token);
        // one statement marks it used, so two concurrent refreshes with the same token cannot both win
        List<Rotated> rotated = sql.query(ex, "UPDATE refresh_tokens", "UPDATE refresh_tokens SET used_at = now()"
                + " WHERE token_hash = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()"
                + " RETURNING user_id, family", rs -> new Rotated(rs.getLong(1), (UUID) rs.getObject(2)), hash);
        if (!rotated.isEmpty()) return rotated.getFirst();
        record Row(UUID family, boolean used, boolean revoked) {}
        List<Row> rows = sql.query(ex, "SELECT refresh_tokens", "SELECT family, used_at IS NOT NULL,"
                + " revoked_at IS NOT NULL FROM refresh_tokens WHERE token_hash = ?",
                rs -> new Row((UUID) rs.getObject(1), rs.getBoolean(2), rs.getBoolean(3)), hash);
        if (rows.isEmpty()) return new Invalid("refresh token is not known");
        Row row = rows.getFirst();
        if (row.used() || row.revoked()) return new Reused(revokeFamily(ex, row.family()));
        return new Invalid("refresh token has expired; log in again");
    }

    /** Revokes the family a refresh token belongs to (logout); returns its live access tokens. */
    public List<AccessToken> revokeByToken(Exchange ex, String token) {
        List<UUID> family = sql.query(ex, "SELECT refresh_tokens", "SELECT family FROM refresh_tokens WHERE token_hash = ?",
                rs -> (UUID) rs.getObject(1), hash(token));
        return family.isEmpty() ? List.of() : revokeFamily(ex, family.getFirst());
    }

    /** Revokes the family that issued an access token (logout with only the access token). */
    public List<AccessToken> revokeByAccessToken(Exchange ex, String jti) {
        List<UUID> family = sql.query(ex, "SELECT refresh_tokens", "SELECT family FROM refresh_tokens WHERE access_jti = ?",
                rs -> (UUID) rs.getObject(1), jti);
        return family.isEmpty() ? List.of() : revokeFamily(ex, family.getFirst());
    }

    private List<AccessToken> revokeFamily(Exchange ex, UUID family) {
        sql.update(ex, "UPDATE refresh_tokens", "UPDATE refresh_tokens SET revoked_at = now() WHERE family = ?"
                + " AND revoked_at IS NULL", family);
        return sql.query(ex, "SELECT refresh_tokens", "SELECT access_jti, extract(epoch from access_exp)::bigint"
                + " FROM refresh_tokens WHERE family = ? AND access_exp > now()",
                rs -> new AccessToken(rs.getString(1), rs.getLong(2)), family);
    }

    static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
