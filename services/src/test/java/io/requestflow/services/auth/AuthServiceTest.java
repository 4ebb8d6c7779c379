package io.requestflow.services.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import io.lettuce.core.RedisClient;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.requestflow.data.DataTier;
import io.requestflow.data.Database;
import io.requestflow.data.JdbcEndpoint;
import io.requestflow.data.PostgresConfig;
import io.requestflow.data.RedisConfig;
import io.requestflow.engine.admin.AdminServer;
import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.hop.HopContext;
import io.requestflow.engine.hop.HttpHop;
import io.requestflow.engine.http.Json;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.server.RequestHandler;
import io.requestflow.engine.server.ServerConfig;
import io.requestflow.engine.testing.Http;
import io.requestflow.services.Sql;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The auth service against real PostgreSQL and Redis: accounts, login limits, refresh rotation and reuse, logout, keys, API keys. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AuthServiceTest {
    static final HostPort ANY = new HostPort("127.0.0.1", 0);
    @TempDir
    static Path dir;
    static DataTier data;
    static Engine engine;
    static HttpHop auth;
    static AuthService service;
    static Sql sql;
    static RedisClient redis;
    static String base;
    static String admin;
    static SigningKeys keys;

    @BeforeAll
    static void start() {
        data = DataTier.start(dir, PostgresConfig.embedded(0), RedisConfig.embedded(0), 10);
        engine = new Engine(2, 100);
        HopContext ctx = engine.hop("auth", "auth-1");
        Database db = ctx.own(Database.open(data.jdbc(), PostgresConfig.defaults(), "auth-test"));
        sql = new Sql(db.dataSource());
        AuthRedis authRedis = ctx.own(new AuthRedis(data.redisUrl(), Duration.ofMillis(500)));
        AuthConfig config = new AuthConfig("https://auth.requestflow.test", "requestflow-api", 900, 3600,
                new PasswordHasher.Cost(1024, 1, 1), new AuthConfig.LoginLimits(3, 1000, 60), "demo", "demo",
                Set.of("free", "partner"), AuthConfig.Hashing.defaults());
        keys = ctx.own(SigningKeys.open(db.dataSource(), null, Duration.ofMillis(100)));
        service = new AuthService(config, sql, keys, authRedis);
        service.seedDemoUser(exchange(ctx, Request.of("INIT", "/")));
        Map<String, RequestHandler> adminRoutes = new LinkedHashMap<>();
        for (String path : AuthService.ADMIN_PATHS) {
            adminRoutes.put(path, request -> CompletableFuture.supplyAsync(
                    () -> service.adminAction(exchange(ctx, request)), engine.blocking()));
        }
        auth = HttpHop.start(ctx, new HttpHop.Spec(ANY, ANY, ServerConfig.defaults(), 5000),
                service.stages(engine.blocking()), AdminServer.Readiness.always(), adminRoutes);
        base = "http://127.0.0.1:" + auth.address().getPort();
        admin = "http://127.0.0.1:" + auth.adminAddress().getPort();
        redis = RedisClient.create(data.redisUrl());
    }

    static Exchange exchange(HopContext ctx, Request request) {
        var span = ctx.tracing().startServer("test", new DefaultHttpHeaders());
        span.end();
        return new Exchange(request, ctx.hop(), "test", span, ctx.tracing());
    }

    @AfterAll
    static void stop() {
        if (redis != null) redis.shutdown();
        if (auth != null) auth.close();
        if (engine != null) engine.close();
        if (data != null) data.close();
    }

    static HttpResponse<String> post(String path, String json, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "content-type";
        all[1] = "application/json";
        System.arraycopy(headers, 0, all, 2, headers.length);
        return Http.post(base + path, json, all);
    }

    static JsonNode login(String user, String password) {
        var r = post("/api/login", "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.tree(r.body().getBytes());
    }

    static boolean denied(String jti) {
        try (var c = redis.connect()) {
            return c.sync().exists("revoked:jti:" + jti) == 1;
        }
    }

    static String jti(String token) throws Exception {
        return SignedJWT.parse(token).getJWTClaimsSet().getJWTID();
    }

    @Test
    void signupValidatesAndRefusesDuplicates() {
        assertThat(post("/api/signup", "{\"username\":\"alice\",\"password\":\"correct horse\"}").statusCode()).isEqualTo(201);
        var dup = post("/api/signup", "{\"username\":\"alice\",\"password\":\"another one\"}");
        assertThat(dup.statusCode()).isEqualTo(409);
        assertThat(dup.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(post("/api/signup", "{\"username\":\"a\",\"password\":\"correct horse\"}").statusCode()).isEqualTo(400);
        assertThat(post("/api/signup", "{\"username\":\"bob\",\"password\":\"short\"}").statusCode()).isEqualTo(400);
        assertThat(post("/api/signup", "not json").statusCode()).isEqualTo(400);
        List<String> hash = sql.query(exchange(auth.context(), Request.of("T", "/")), "q",
                "SELECT password_hash FROM users WHERE username = 'alice'", rs -> rs.getString(1));
        assertThat(hash.getFirst()).startsWith("$argon2id$v=19$m=1024,t=1,p=1$");
        assertThat(login("alice", "correct horse").path("access_token").asText()).isNotEmpty();
    }

    @Test
    void refreshRotatesAndReuseRevokesTheWholeFamily() throws Exception {
        JsonNode first = login("demo", "demo");
        String refresh1 = first.path("refresh_token").asText();
        var r2 = post("/api/token/refresh", "{\"refresh_token\":\"" + refresh1 + "\"}");
        assertThat(r2.statusCode()).isEqualTo(200);
        JsonNode second = Json.tree(r2.body().getBytes());
        String refresh2 = second.path("refresh_token").asText();
        assertThat(refresh2).isNotEqualTo(refresh1);
        assertThat(SignedJWT.parse(second.path("access_token").asText()).getJWTClaimsSet().getSubject()).isNotBlank();

        // the old token again: reuse. 401, and the family (including the newest token) is revoked
        var reuse = post("/api/token/refresh", "{\"refresh_token\":\"" + refresh1 + "\"}");
        assertThat(reuse.statusCode()).isEqualTo(401);
        assertThat(reuse.body()).contains("already used");
        assertThat(post("/api/token/refresh", "{\"refresh_token\":\"" + refresh2 + "\"}").statusCode()).isEqualTo(401);
        assertThat(denied(jti(first.path("access_token").asText()))).isTrue();
        assertThat(denied(jti(second.path("access_token").asText()))).isTrue();

        // another login's family is untouched
        JsonNode other = login("demo", "demo");
        assertThat(post("/api/token/refresh", "{\"refresh_token\":\"" + other.path("refresh_token").asText() + "\"}")
                .statusCode()).isEqualTo(200);
        assertThat(post("/api/token/refresh", "{\"refresh_token\":\"rt_unknown\"}").statusCode()).isEqualTo(401);
    }

    @Test
    void logoutDenyListsTheTokenAndEndsItsRefreshFamily() throws Exception {
        JsonNode t = login("demo", "demo");
        String access = t.path("access_token").asText();
        var claims = SignedJWT.parse(access).getJWTClaimsSet();
        // the gateway passes the verified jti and exp; called directly here
        var out = post("/api/logout", "{}", "x-token-id", claims.getJWTID(),
                "x-token-exp", Long.toString(claims.getExpirationTime().getTime() / 1000));
        assertThat(out.statusCode()).isEqualTo(204);
        assertThat(denied(claims.getJWTID())).isTrue();
        assertThat(post("/api/token/refresh", "{\"refresh_token\":\"" + t.path("refresh_token").asText() + "\"}")
                .statusCode()).isEqualTo(401);
        assertThat(post("/api/logout", "{}").statusCode()).isEqualTo(401);

        // Redis keeps no files: after a restart (here: everything deleted) the repair writes the entry back
        try (var c = redis.connect()) {
            c.sync().del("revoked:jti:" + claims.getJWTID());
        }
        assertThat(denied(claims.getJWTID())).isFalse();
        assertThat(service.repairDenyList(exchange(auth.context(), Request.of("T", "/")))).isPositive();
        assertThat(denied(claims.getJWTID())).isTrue();
    }

    @Test
    void repeatedFailuresLockTheAccountForTheWindow() {
        post("/api/signup", "{\"username\":\"carol\",\"password\":\"carol's secret\"}");
        for (int i = 0; i < 3; i++) {
            assertThat(post("/api/login", "{\"username\":\"carol\",\"password\":\"guess" + i + "\"}").statusCode()).isEqualTo(401);
        }
        var locked = post("/api/login", "{\"username\":\"carol\",\"password\":\"carol's secret\"}");
        assertThat(locked.statusCode()).isEqualTo(429);
        assertThat(Long.parseLong(locked.headers().firstValue("retry-after").orElseThrow())).isBetween(1L, 60L);
        assertThat(locked.headers().firstValue("content-type")).hasValue("application/problem+json");
    }

    @Test
    void oldPbkdf2HashesStillLogInAndAreUpgradedToArgon2id() throws Exception {
        byte[] salt = new byte[16];
        var spec = new PBEKeySpec("legacy pass".toCharArray(), salt, 1000, 256);
        byte[] hash = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
        var b64 = Base64.getEncoder().withoutPadding();
        String stored = "pbkdf2-sha512$1000$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
        Exchange ex = exchange(auth.context(), Request.of("T", "/"));
        sql.update(ex, "i", "INSERT INTO users (username, password_hash) VALUES ('legacy', ?)", stored);
        login("legacy", "legacy pass");
        List<String> now = sql.query(ex, "q", "SELECT password_hash FROM users WHERE username = 'legacy'", rs -> rs.getString(1));
        assertThat(now.getFirst()).startsWith("$argon2id$");
        login("legacy", "legacy pass");
    }

    @Test
    void rotationPublishesOldActiveAndNextKeysAndOtherInstancesFollowTheDatabase() throws Exception {
        // another auth instance: its own pool and key holder on the same database
        try (Database otherPool = Database.open(data.jdbc(), PostgresConfig.defaults(), "auth-test-2");
             SigningKeys otherInstance = SigningKeys.open(otherPool.dataSource(), null, Duration.ofMillis(100))) {
            String before = SignedJWT.parse(login("demo", "demo").path("access_token").asText()).getHeader().getKeyID();
            assertThat(otherInstance.privateKey().getKeyID()).as("both instances sign with one key").isEqualTo(before);
            List<String> published = kids();
            assertThat(published).hasSize(2).contains(before);
            String next = published.stream().filter(k -> !k.equals(before)).findFirst().orElseThrow();

            var rotated = Http.post(admin + "/keys/rotate", "");
            assertThat(rotated.statusCode()).isEqualTo(200);
            String after = SignedJWT.parse(login("demo", "demo").path("access_token").asText()).getHeader().getKeyID();
            assertThat(after).as("the pre-published next key signs now").isEqualTo(next);
            assertThat(kids()).hasSize(3).contains(before, next);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!otherInstance.privateKey().getKeyID().equals(next) && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(otherInstance.privateKey().getKeyID()).as("the other instance follows the database").isEqualTo(next);
            assertThat(otherInstance.jwks()).isEqualTo(keys.jwks());

            // a rotation by the other instance reaches this one (and the JWKS it serves)
            String third = otherInstance.rotate(60);
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!keys.privateKey().getKeyID().equals(third) && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(SignedJWT.parse(login("demo", "demo").path("access_token").asText()).getHeader().getKeyID())
                    .isEqualTo(third);
            assertThat(kids()).contains(before, next, third);
        }
    }

    @Test
    void keysOfADataDirectoryFromBeforeTheDatabaseAreAdoptedOnce(@TempDir Path legacyDir) throws Exception {
        JdbcEndpoint fresh = emptySchema("auth_keys_adopt");
        try (Database db = Database.open(fresh, PostgresConfig.defaults(), "auth-test-adopt")) {
            assertThat(db.migrate()).as("a schema of its own, migrated from scratch").isEqualTo(6);
            // an earlier version's key file holds the same document: make one, copy it out, empty the table
            String legacyKid;
            try (SigningKeys earlier = SigningKeys.open(db.dataSource(), null, Duration.ofMinutes(1))) {
                legacyKid = earlier.privateKey().getKeyID();
            }
            String document;
            try (var c = db.dataSource().getConnection(); var st = c.createStatement();
                 var rs = st.executeQuery("SELECT document FROM auth_signing_keys")) {
                assertThat(rs.next()).isTrue();
                document = rs.getString(1);
            }
            Path file = legacyDir.resolve("signing-keys.json");
            java.nio.file.Files.writeString(file, document);
            try (var c = db.dataSource().getConnection(); var st = c.createStatement()) {
                st.executeUpdate("DELETE FROM auth_signing_keys");
            }

            try (SigningKeys adopted = SigningKeys.open(db.dataSource(), file, Duration.ofMinutes(1))) {
                assertThat(adopted.privateKey().getKeyID()).as("tokens signed before the upgrade stay valid").isEqualTo(legacyKid);
            }
            java.nio.file.Files.delete(file);
            try (SigningKeys later = SigningKeys.open(db.dataSource(), file, Duration.ofMinutes(1))) {
                assertThat(later.privateKey().getKeyID()).as("the database's keys, not new ones").isEqualTo(legacyKid);
            }
        }
    }

    /** A new, empty schema on the test's database, as an endpoint whose connections use it. */
    static JdbcEndpoint emptySchema(String name) throws Exception {
        JdbcEndpoint main = data.jdbc();
        try (var c = java.sql.DriverManager.getConnection(main.url(), main.user(), main.password());
             var st = c.createStatement()) {
            st.executeUpdate("CREATE SCHEMA " + name);
        }
        String url = main.url() + (main.url().contains("?") ? "&" : "?") + "currentSchema=" + name;
        return new JdbcEndpoint(url, main.user(), main.password());
    }

    @Test
    void apiKeysAreStoredHashedAndLookedUpByHash() throws Exception {
        var created = Http.post(admin + "/apikeys?plan=partner&owner=acme", "");
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode key = Json.tree(created.body().getBytes());
        String secret = key.path("key").asText();
        String hash = RefreshTokens.hash(secret);
        List<String> stored = sql.query(exchange(auth.context(), Request.of("T", "/")), "q",
                "SELECT key_hash FROM api_keys WHERE id = ?", rs -> rs.getString(1), key.path("id").asText());
        assertThat(stored).containsExactly(hash);
        assertThat(created.body()).doesNotContain(hash);
        var found = Http.get(base + "/internal/apikeys/" + hash);
        assertThat(found.body()).contains("\"plan\":\"partner\"").contains("\"active\":true");
        assertThat(Http.get(base + "/internal/apikeys/" + "0".repeat(64)).statusCode()).isEqualTo(404);
        assertThat(Http.get(base + "/internal/apikeys/" + hash, "x-forwarded-for", "203.0.113.9").statusCode())
                .as("not answered for requests that came through the edge").isEqualTo(404);
        assertThat(Http.get(base + "/internal/apikeys/zz").statusCode()).isEqualTo(400);
        assertThat(Http.post(admin + "/apikeys?plan=gold", "").statusCode()).isEqualTo(400);
        assertThat(Http.post(admin + "/apikeys/revoke?id=" + key.path("id").asText(), "").statusCode()).isEqualTo(204);
        assertThat(Http.get(base + "/internal/apikeys/" + hash).body()).contains("\"active\":false");
    }

    static List<String> kids() {
        JsonNode jwks = Json.tree(Http.get(base + "/.well-known/jwks.json").body().getBytes());
        return jwks.path("keys").findValuesAsText("kid");
    }
}
