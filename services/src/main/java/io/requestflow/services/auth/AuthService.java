package io.requestflow.services.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.requestflow.engine.http.HttpError;
import io.requestflow.engine.http.Json;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.engine.service.Router;
import io.requestflow.services.ServiceErrors;
import io.requestflow.services.Sql;

import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;

/**
 * The auth service: checks passwords, signs ES256 access tokens and publishes the public keys.
 * Routes: {@code POST /api/login}, {@code GET /.well-known/jwks.json}, {@code GET /api/me}.
 */
public final class AuthService {
    private record User(long id, String username, String passwordHash, String scopes) {}

    private final AuthConfig config;
    private final Sql sql;
    private final SigningKeys keys;
    private final PasswordHasher hasher;
    /** Compared against when the user does not exist, so a missing user costs the same time as a wrong password. */
    private final String decoyHash;

    public AuthService(AuthConfig config, Sql sql, SigningKeys keys) {
        this.config = config;
        this.sql = sql;
        this.keys = keys;
        this.hasher = new PasswordHasher(config.hashIterations());
        this.decoyHash = hasher.hash(UUID.randomUUID().toString());
    }

    public List<Stage> stages(Executor blocking) {
        return List.of(new ServiceErrors(), Router.builder()
                .post("/api/login", (ex, p) -> login(ex))
                .get("/.well-known/jwks.json", (ex, p) -> jwks())
                .get("/api/me", (ex, p) -> me(ex))
                .build(blocking));
    }

    /** Creates the demo user when it is configured and absent. Runs once at start-up. */
    public void seedDemoUser(Exchange exchange) {
        if (config.demoUser() == null) return;
        sql.update(exchange, "INSERT users", "INSERT INTO users (username, password_hash) VALUES (?, ?)"
                + " ON CONFLICT (username) DO NOTHING", config.demoUser(), hasher.hash(config.demoPassword()));
    }

    private Response login(Exchange ex) throws JOSEException {
        JsonNode body = Json.tree(ex.request().body());
        if (body == null || !body.path("username").isTextual() || !body.path("password").isTextual()) {
            throw HttpError.badRequest("expected JSON {\"username\": \"…\", \"password\": \"…\"}");
        }
        String username = body.get("username").asText();
        String password = body.get("password").asText();
        if (username.length() > 128 || password.length() > 1024) throw HttpError.badRequest("username or password too long");
        List<User> found = sql.query(ex, "SELECT users", "SELECT id, username, password_hash, scopes FROM users"
                + " WHERE username = ?", rs -> new User(rs.getLong(1), rs.getString(2), rs.getString(3),
                rs.getString(4)), username);
        User user = found.isEmpty() ? null : found.getFirst();
        boolean ok = hasher.verify(password, user == null ? decoyHash : user.passwordHash());
        if (user == null || !ok) {
            ex.describe("login failed");
            throw HttpError.unauthorized("wrong username or password");
        }
        Map<String, Object> token = new LinkedHashMap<>();
        token.put("access_token", sign(user));
        token.put("token_type", "Bearer");
        token.put("expires_in", config.tokenTtlSeconds());
        token.put("scope", user.scopes());
        return noStore(Response.json(200, token));
    }

    private String sign(User user) throws JOSEException {
        long now = System.currentTimeMillis();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(config.issuer())
                .audience(config.audience())
                .subject(Long.toString(user.id()))
                .claim("name", user.username())
                .claim("scope", user.scopes())
                .issueTime(new Date(now))
                .notBeforeTime(new Date(now))
                .expirationTime(new Date(now + config.tokenTtlSeconds() * 1000))
                .jwtID(UUID.randomUUID().toString())
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256)
                .keyID(keys.privateKey().getKeyID()).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new ECDSASigner(keys.privateKey()));
        return jwt.serialize();
    }

    private Response jwks() {
        return Response.json(200, keys.jwks()).header("cache-control", "public, max-age=300");
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

    private static Response noStore(Response response) {
        return response.header("cache-control", "no-store");
    }
}
