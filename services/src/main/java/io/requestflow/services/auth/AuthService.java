package io.requestflow.services.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.requestflow.engine.http.HttpError;
import io.requestflow.engine.http.Json;
import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.engine.service.Router;
import io.requestflow.services.ServiceErrors;
import io.requestflow.services.Sql;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;

/**
 * The auth service: accounts, passwords, sessions and tokens.
 * Routes: {@code POST /api/signup}, {@code POST /api/login}, {@code POST /api/token/refresh},
 * {@code POST /api/logout}, {@code GET /api/me}, {@code GET /.well-known/jwks.json}, and for the gateway
 * {@code GET /internal/apikeys/{sha256}}. Operator actions (key rotation, API keys, revocation) are on
 * the admin port: see {@link #adminAction}.
 */
public final class AuthService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuthService.class);
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_.-]{3,64}");
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    public static final String DENY_PREFIX = "revoked:jti:";

    private record User(long id, String username, String passwordHash, String scopes) {}

    private final AuthConfig config;
    private final Sql sql;
    private final SigningKeys keys;
    private final PasswordHasher hasher;
    /** Hashes for requests run here, below the request path's priority (startup's run inline). */
    private final HashingPool hashing;
    private final AuthRedis redis;
    private final LoginLimiter limiter;
    private final RefreshTokens refreshTokens;
    private final ApiKeyStore apiKeys;
    /** Compared against when the user does not exist, so a missing user costs the same time as a wrong password. */
    private final String decoyHash;

    public AuthService(AuthConfig config, Sql sql, SigningKeys keys, AuthRedis redis) {
        this.config = config;
        this.sql = sql;
        this.keys = keys;
        this.redis = redis;
        this.hasher = new PasswordHasher(config.argon2());
        this.hashing = new HashingPool(config.hashing());
        this.limiter = new LoginLimiter(redis, config.login());
        this.refreshTokens = new RefreshTokens(sql, config.refreshTtlSeconds());
        this.apiKeys = new ApiKeyStore(sql);
        this.decoyHash = hasher.hash(UUID.randomUUID().toString());
    }

    public List<Stage> stages(Executor blocking) {
        return List.of(new ServiceErrors(), Router.builder()
                .post("/api/signup", (ex, p) -> signup(ex))
                .post("/api/login", (ex, p) -> login(ex))
                .post("/api/token/refresh", (ex, p) -> refresh(ex))
                .post("/api/logout", (ex, p) -> logout(ex))
                .get("/.well-known/jwks.json", (ex, p) -> jwks())
                .get("/api/me", (ex, p) -> me(ex))
                .get("/internal/apikeys/{hash}", (ex, p) -> apiKey(ex, p.get("hash")))
                .build(blocking));
    }

    /** Creates the demo user when it is configured and absent. Runs once at start-up. */
    public void seedDemoUser(Exchange exchange) {
        if (config.demoUser() == null) return;
        sql.update(exchange, "INSERT users", "INSERT INTO users (username, password_hash) VALUES (?, ?)"
                + " ON CONFLICT (username) DO NOTHING", config.demoUser(), hasher.hash(config.demoPassword()));
    }

    private Response signup(Exchange ex) {
        LoginLimiter.Blocked blocked = limiter.attempt("signup", clientIp(ex.request()));
        if (blocked != null) return tooMany(blocked);
        Credentials c = credentials(ex);
        if (!USERNAME.matcher(c.username()).matches()) {
            throw HttpError.badRequest("username must be 3-64 characters: letters, digits, '_', '.', '-'");
        }
        if (c.password().length() < 8) throw HttpError.badRequest("password must be at least 8 characters");
        if (c.password().equalsIgnoreCase(c.username())) throw HttpError.badRequest("password must differ from the username");
        List<Long> created = sql.query(ex, "INSERT users", "INSERT INTO users (username, password_hash) VALUES (?, ?)"
                + " ON CONFLICT (username) DO NOTHING RETURNING id", rs -> rs.getLong(1), c.username(),
                hashing.run(() -> hasher.hash(c.password())));
        if (created.isEmpty()) throw new HttpError(409, "Conflict", "username '" + c.username() + "' is taken");
        return Response.json(201, Map.of("id", created.getFirst(), "username", c.username()))
                .header("location", "/api/me");
    }

    private Response login(Exchange ex) throws JOSEException {
        LoginLimiter.Blocked blocked = limiter.attempt("login", clientIp(ex.request()));
        if (blocked != null) return tooMany(blocked);
        Credentials c = credentials(ex);
        blocked = limiter.accountBlocked(c.username());
        if (blocked != null) return tooMany(blocked);
        List<User> found = sql.query(ex, "SELECT users", "SELECT id, username, password_hash, scopes FROM users"
                + " WHERE username = ?", rs -> new User(rs.getLong(1), rs.getString(2), rs.getString(3),
                rs.getString(4)), c.username());
        User user = found.isEmpty() ? null : found.getFirst();
        String stored = user == null ? decoyHash : user.passwordHash();
        boolean ok = hashing.run(() -> hasher.verify(c.password(), stored));
        if (user == null || !ok) {
            limiter.failed(c.username());
            ex.describe("login failed");
            throw HttpError.unauthorized("wrong username or password");
        }
        limiter.succeeded(c.username());
        if (hasher.needsRehash(user.passwordHash())) {
            sql.update(ex, "UPDATE users", "UPDATE users SET password_hash = ? WHERE id = ?",
                    hashing.run(() -> hasher.hash(c.password())), user.id());
        }
        return tokens(ex, user.id(), user.username(), user.scopes(), UUID.randomUUID());
    }

    private Response refresh(Exchange ex) throws JOSEException {
        JsonNode body = Json.tree(ex.request().body());
        if (body == null || !body.path("refresh_token").isTextual() || body.get("refresh_token").asText().length() > 200) {
            throw HttpError.badRequest("expected JSON {\"refresh_token\": \"…\"}");
        }
        RefreshTokens.Outcome outcome = refreshTokens.present(ex, body.get("refresh_token").asText());
        return switch (outcome) {
            case RefreshTokens.Rotated r -> {
                List<User> found = sql.query(ex, "SELECT users", "SELECT id, username, password_hash, scopes FROM users"
                        + " WHERE id = ?", rs -> new User(rs.getLong(1), rs.getString(2), null, rs.getString(4)), r.userId());
                if (found.isEmpty()) throw HttpError.unauthorized("the account no longer exists");
                User u = found.getFirst();
                yield tokens(ex, u.id(), u.username(), u.scopes(), r.family());
            }
            case RefreshTokens.Reused r -> {
                deny(ex, r.denied());
                LOG.warn("auth: refresh token reuse detected; revoked its family and {} access token(s)", r.denied().size());
                ex.describe("refresh reuse");
                throw HttpError.unauthorized("refresh token was already used; every session of this login is revoked");
            }
            case RefreshTokens.Invalid i -> throw HttpError.unauthorized(i.reason());
        };
    }

    /** Needs a token (the gateway route requires one): deny-lists it and revokes its refresh family. */
    private Response logout(Exchange ex) {
        String jti = ex.request().header("x-token-id");
        String exp = ex.request().header("x-token-exp");
        if (jti == null || exp == null) throw HttpError.unauthorized("no verified token; call this through the gateway");
        long expEpoch;
        try {
            expEpoch = Long.parseLong(exp);
        } catch (NumberFormatException e) {
            throw HttpError.unauthorized("the verified token has no usable expiry");
        }
        List<RefreshTokens.AccessToken> denied = new java.util.ArrayList<>(refreshTokens.revokeByAccessToken(ex, jti));
        JsonNode body = ex.request().body().length == 0 ? null : Json.tree(ex.request().body());
        if (body != null && body.path("refresh_token").isTextual()) {
            denied.addAll(refreshTokens.revokeByToken(ex, body.get("refresh_token").asText()));
        }
        denied.add(new RefreshTokens.AccessToken(jti, expEpoch));
        deny(ex, denied);
        return Response.empty(204).header("cache-control", "no-store");
    }

    private Response tokens(Exchange ex, long userId, String username, String scopes, UUID family) throws JOSEException {
        String jti = UUID.randomUUID().toString();
        long exp = System.currentTimeMillis() / 1000 + config.tokenTtlSeconds();
        String access = sign(userId, username, scopes, jti, exp);
        String refresh = refreshTokens.issue(ex, userId, family, new RefreshTokens.AccessToken(jti, exp));
        Map<String, Object> token = new LinkedHashMap<>();
        token.put("access_token", access);
        token.put("token_type", "Bearer");
        token.put("expires_in", config.tokenTtlSeconds());
        token.put("refresh_token", refresh);
        token.put("scope", scopes);
        return noStore(Response.json(200, token));
    }

    private String sign(long userId, String username, String scopes, String jti, long exp) throws JOSEException {
        long now = System.currentTimeMillis();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(config.issuer())
                .audience(config.audience())
                .subject(Long.toString(userId))
                .claim("name", username)
                .claim("scope", scopes)
                .issueTime(new Date(now))
                .notBeforeTime(new Date(now))
                .expirationTime(new Date(exp * 1000))
                .jwtID(jti)
                .build();
        ECKey key = keys.privateKey();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256)
                .keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    /**
     * Puts access tokens on the deny list until they would expire anyway. Failing to reach Redis is an
     * error the caller sees (503): a logout that silently did not revoke would be worse.
     */
    private void deny(Exchange ex, List<RefreshTokens.AccessToken> tokens) {
        long now = System.currentTimeMillis() / 1000;
        for (RefreshTokens.AccessToken t : tokens) {
            if (t.expEpochSeconds() > now) {
                sql.update(ex, "INSERT revoked_tokens", "INSERT INTO revoked_tokens (jti, expires_at) VALUES (?, to_timestamp(?))"
                        + " ON CONFLICT (jti) DO NOTHING", t.jti(), t.expEpochSeconds());
            }
        }
        try {
            for (RefreshTokens.AccessToken t : tokens) {
                if (t.expEpochSeconds() > now) redis.flag(DENY_PREFIX + t.jti(), t.expEpochSeconds() - now + 60);
            }
        } catch (RuntimeException e) {
            throw new HttpError(503, "Service Unavailable", "auth: cannot write the token deny list right now; try again");
        }
    }

    /**
     * Writes back deny-list entries Redis lost (it keeps no files and evicts under memory pressure) from
     * the durable copy in PostgreSQL, and forgets entries of tokens long expired. Returns how many were
     * written back. Runs every {@code denyListRepairSeconds}.
     */
    public int repairDenyList(Exchange ex) {
        List<RefreshTokens.AccessToken> live = sql.query(ex, "SELECT revoked_tokens", "SELECT jti,"
                + " extract(epoch from expires_at)::bigint FROM revoked_tokens WHERE expires_at > now()",
                rs -> new RefreshTokens.AccessToken(rs.getString(1), rs.getLong(2)));
        long now = System.currentTimeMillis() / 1000;
        int restored = 0;
        for (RefreshTokens.AccessToken t : live) {
            if (t.expEpochSeconds() > now && redis.flagIfAbsent(DENY_PREFIX + t.jti(), t.expEpochSeconds() - now + 60)) restored++;
        }
        sql.update(ex, "DELETE revoked_tokens", "DELETE FROM revoked_tokens WHERE expires_at < now() - interval '1 day'");
        if (restored > 0) LOG.warn("auth: wrote {} lost deny-list entries back to Redis", restored);
        return restored;
    }

    private Response jwks() {
        return Response.json(200, keys.jwks()).header("cache-control", "public, max-age=300");
    }

    private Response apiKey(Exchange ex, String hash) {
        // only the gateway asks this, directly; a request that came through the edge (it adds
        // X-Forwarded-For) was routed here by mistake and must not learn which keys exist
        if (ex.request().header("x-forwarded-for") != null) throw HttpError.notFound("no route for GET " + ex.request().path());
        if (!HEX64.matcher(hash).matches()) throw HttpError.badRequest("expected the key's SHA-256 in lower-case hex");
        Map<String, Object> key = apiKeys.lookup(ex, hash);
        if (key == null) throw HttpError.notFound("no such API key");
        return noStore(Response.json(200, key));
    }

    private Response me(Exchange ex) {
        String userId = ex.request().header("x-user-id");
        if (userId == null) throw HttpError.unauthorized("no verified identity; call this through the gateway with a token");
        long id;
        try {
            id = Long.parseLong(userId);
        } catch (NumberFormatException e) {
            throw HttpError.unauthorized("the verified identity is not a known user");
        }
        List<Map<String, Object>> rows = sql.query(ex, "SELECT users", "SELECT id, username, scopes, created_at"
                + " FROM users WHERE id = ?", rs -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", rs.getLong(1));
                    m.put("username", rs.getString(2));
                    m.put("scopes", rs.getString(3));
                    m.put("createdAt", rs.getTimestamp(4).toInstant().toString());
                    return m;
                }, id);
        if (rows.isEmpty()) throw HttpError.notFound("user " + id + " no longer exists");
        return noStore(Response.json(200, rows.getFirst())).header("cache-control", "private, no-store");
    }

    /**
     * Operator actions, served on the auth instance's admin port (never routed by the gateway):
     * {@code POST /keys/rotate}, {@code POST /apikeys?plan=NAME[&owner=…]}, {@code POST /apikeys/revoke?id=…},
     * {@code POST /tokens/revoke?jti=…&exp=EPOCH}.
     */
    public Response adminAction(Exchange ex) {
        Request r = ex.request();
        if (!"POST".equals(r.method())) return Problem.of(405, "Method Not Allowed", "use POST");
        try {
            return switch (r.path()) {
                case "/keys/rotate" -> {
                    String kid = keys.rotate(config.tokenTtlSeconds() + 60);
                    LOG.info("auth: signing keys rotated; new active key {}", kid);
                    yield Response.json(200, Map.of("active", kid, "jwks", keys.jwks()));
                }
                case "/apikeys" -> {
                    String plan = r.query("plan");
                    if (plan == null || !config.plans().contains(plan)) {
                        yield Problem.badRequest("plan must be one of " + config.plans());
                    }
                    yield noStore(Response.json(201, apiKeys.create(ex, plan, r.query("owner"))));
                }
                case "/apikeys/revoke" -> {
                    String id = r.query("id");
                    if (id == null) yield Problem.badRequest("id is required");
                    yield apiKeys.revoke(ex, id) ? Response.empty(204) : Problem.notFound("no active API key " + id);
                }
                case "/tokens/revoke" -> {
                    String jti = r.query("jti");
                    long exp;
                    try {
                        exp = Long.parseLong(r.query("exp"));
                    } catch (NumberFormatException e) {
                        yield Problem.badRequest("jti and exp (epoch seconds) are required");
                    }
                    if (jti == null) yield Problem.badRequest("jti and exp (epoch seconds) are required");
                    List<RefreshTokens.AccessToken> denied = new java.util.ArrayList<>(refreshTokens.revokeByAccessToken(ex, jti));
                    denied.add(new RefreshTokens.AccessToken(jti, exp));
                    deny(ex, denied);
                    yield Response.empty(204);
                }
                default -> Problem.notFound("auth admin actions: POST /keys/rotate /apikeys?plan=NAME /apikeys/revoke?id=ID"
                        + " /tokens/revoke?jti=ID&exp=EPOCH");
            };
        } catch (HttpError e) {
            return e.toResponse();
        } catch (Sql.DatabaseUnavailable e) {
            return Problem.of(503, "Service Unavailable", "auth: the database is unavailable");
        } catch (SigningKeys.RotationFailed e) {
            LOG.warn("{}", e.getMessage());
            return Problem.of(503, "Service Unavailable", "auth: the signing keys were not rotated (the database did not"
                    + " take the change); the current keys stay in use, try again when PostgreSQL answers");
        }
    }

    public static final List<String> ADMIN_PATHS = List.of("/keys/rotate", "/apikeys", "/apikeys/revoke", "/tokens/revoke");

    private record Credentials(String username, String password) {}

    private static Credentials credentials(Exchange ex) {
        JsonNode body = Json.tree(ex.request().body());
        if (body == null || !body.path("username").isTextual() || !body.path("password").isTextual()) {
            throw HttpError.badRequest("expected JSON {\"username\": \"…\", \"password\": \"…\"}");
        }
        String username = body.get("username").asText();
        String password = body.get("password").asText();
        if (username.length() > 128 || password.length() > 1024) throw HttpError.badRequest("username or password too long");
        return new Credentials(username, password);
    }

    private static Response tooMany(LoginLimiter.Blocked blocked) {
        return Problem.of(429, "Too Many Requests", blocked.reason()).header("retry-after", blocked.retryAfterSeconds());
    }

    /** The address the edge recorded (right-most X-Forwarded-For entry; only the edge appends), else the peer. */
    private static String clientIp(Request request) {
        String forwarded = request.header("x-forwarded-for");
        if (forwarded != null && !forwarded.isBlank()) return forwarded.substring(forwarded.lastIndexOf(',') + 1).trim();
        return request.remote() == null ? "unknown" : request.remote().getAddress().getHostAddress();
    }

    private static Response noStore(Response response) {
        return response.header("cache-control", "no-store");
    }

    @Override
    public void close() {
        hashing.close();
    }
}
