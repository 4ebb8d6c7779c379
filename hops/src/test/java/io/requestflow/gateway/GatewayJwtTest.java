package io.requestflow.gateway;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.requestflow.engine.admin.AdminServer;
import io.requestflow.engine.client.ClientConfig;
import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.hop.HttpHop;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.server.ServerConfig;
import io.requestflow.engine.service.Router;
import io.requestflow.engine.testing.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import io.lettuce.core.RedisClient;
import io.requestflow.data.EmbeddedRedisServer;
import io.requestflow.data.RedisConfig;
import java.nio.file.Path;

import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Every way a token can be bad is a 401 (or 403 for a missing scope) that never reaches the service. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayJwtTest {
    static final HostPort ANY = new HostPort("127.0.0.1", 0);
    static final String ISS = "https://auth.requestflow.test";
    static final String AUD = "requestflow-api";
    static Engine engine;
    static HttpHop keys;
    static HttpHop service;
    static HttpHop gateway;
    static ECKey signing;
    @TempDir
    static Path dir;
    static EmbeddedRedisServer redis;
    static RedisClient redisClient;
    static final AtomicInteger serviceCalls = new AtomicInteger();
    static final AtomicInteger jwksFetches = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        engine = new Engine(2, 100);
        redis = EmbeddedRedisServer.start(dir, RedisConfig.embedded(0));
        redisClient = RedisClient.create("redis://127.0.0.1:" + redis.port());
        signing = new ECKeyGenerator(Curve.P_256).keyIDFromThumbprint(true).generate();
        keys = hop("auth", Router.builder().get("/.well-known/jwks.json", (ex, p) -> {
            jwksFetches.incrementAndGet();
            return Response.json(200, new JWKSet(signing.toPublicJWK()).toJSONObject(true));
        }));
        service = hop("svc", Router.builder().get("/api/me", (ex, p) -> {
            serviceCalls.incrementAndGet();
            return Response.json(200, Map.of("user", String.valueOf(ex.request().header("x-user-id")),
                    "scopes", String.valueOf(ex.request().header("x-user-scopes")),
                    "jti", String.valueOf(ex.request().header("x-token-id")),
                    "key", String.valueOf(ex.request().header("x-api-key-id"))));
        }).get("/api/public", (ex, p) -> Response.json(200, Map.of("forgedUser",
                String.valueOf(ex.request().header("x-user-id")), "identityHeaders",
                IdentityHeaders.ALL.stream().filter(h -> ex.request().header(h) != null).toList(),
                "apiKey", String.valueOf(ex.request().header("x-api-key"))))));
        String svc = HostPort.of(service.address()).toString();
        GatewayConfig config = new GatewayConfig(List.of(
                new GatewayConfig.Route("/api/me", "svc", svc, "jwt", List.of("profile"), null),
                new GatewayConfig.Route("/api/public", "svc", svc, "none", List.of(), null)),
                GatewayConfig.Jwt.defaults("http://" + HostPort.of(keys.address()) + "/.well-known/jwks.json"),
                Map.of(), new GatewayConfig.Redis("redis://127.0.0.1:" + redis.port(), 500, false, 1000), null,
                GatewayConfig.Cors.none());
        var ctx = engine.hop("gateway", "gateway-1");
        gateway = HttpHop.start(ctx, new HttpHop.Spec(ANY, ANY, ServerConfig.defaults(), 5000),
                GatewayHop.stages(config, ctx, ClientConfig.defaults()), AdminServer.Readiness.always(), Map.of());
    }

    static HttpHop hop(String name, Router.Builder router) {
        return HttpHop.start(engine.hop(name, name), new HttpHop.Spec(ANY, ANY, ServerConfig.defaults(), 5000),
                List.of(router.build(engine.blocking())), AdminServer.Readiness.always(), Map.of());
    }

    @AfterAll
    static void stop() {
        gateway.close();
        service.close();
        keys.close();
        engine.close();
        redisClient.shutdown();
        redis.close();
    }

    static JWTClaimsSet.Builder claims() {
        long now = System.currentTimeMillis();
        return new JWTClaimsSet.Builder().issuer(ISS).audience(AUD).subject("7").claim("scope", "profile")
                .issueTime(new Date(now)).expirationTime(new Date(now + 60_000)).jwtID("j1");
    }

    static String es256(ECKey key, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    static java.net.http.HttpResponse<String> me(String token, String... extra) {
        String url = "http://127.0.0.1:" + gateway.address().getPort() + "/api/me";
        if (token == null) return Http.get(url, extra);
        String[] headers = new String[extra.length + 2];
        headers[0] = "Authorization";
        headers[1] = "Bearer " + token;
        System.arraycopy(extra, 0, headers, 2, extra.length);
        return Http.get(url, headers);
    }

    void assertRefused(String token, int status) {
        int before = serviceCalls.get();
        var r = me(token);
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(serviceCalls.get()).as("the service was never called").isEqualTo(before);
    }

    @Test
    void aValidTokenPassesTheVerifiedIdentity() throws Exception {
        var r = me(es256(signing, claims().build()));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"user\":\"7\"").contains("\"scopes\":\"profile\"");
    }

    @Test
    void aTokenSpelledOtherwiseIsVerifiedToo() throws Exception {
        String token = es256(signing, claims().build());
        String url = "http://127.0.0.1:" + gateway.address().getPort() + "/api/me";
        assertThat(Http.get(url, "Authorization", "bearer " + token).statusCode()).isEqualTo(200);
        assertThat(Http.get(url, "Authorization", "Bearer " + token + "  ").statusCode()).isEqualTo(200);
        int before = serviceCalls.get();
        int at = token.length() - 10; // inside the signature, away from its last character's padding bits
        String tampered = token.substring(0, at) + (token.charAt(at) == 'A' ? 'B' : 'A') + token.substring(at + 1);
        var bad = Http.get(url, "Authorization", "bearer " + tampered);
        assertThat(bad.statusCode()).isEqualTo(401);
        assertThat(serviceCalls.get()).isEqualTo(before);
    }

    @Test
    void missingOrMalformedTokensAre401() {
        assertRefused(null, 401);
        assertRefused("not-a-jwt", 401);
    }

    @Test
    void algNoneIs401() {
        assertRefused(new PlainJWT(claims().build()).serialize(), 401);
    }

    @Test
    void hs256SignedWithThePublicKeyIs401() throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(signing.getKeyID()).build(),
                claims().build());
        byte[] secret = signing.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
        jwt.sign(new MACSigner(java.util.Arrays.copyOf(secret, Math.max(32, secret.length))));
        assertRefused(jwt.serialize(), 401);
    }

    @Test
    void wrongAudienceIssuerExpiredAndNotYetValidAre401() throws Exception {
        long now = System.currentTimeMillis();
        assertRefused(es256(signing, claims().audience("other").build()), 401);
        assertRefused(es256(signing, claims().issuer("https://evil.example").build()), 401);
        assertRefused(es256(signing, claims().expirationTime(new Date(now - 120_000)).build()), 401);
        assertRefused(es256(signing, claims().notBeforeTime(new Date(now + 120_000)).build()), 401);
    }

    @Test
    void tamperedPayloadAndUnknownKeyAre401() throws Exception {
        String good = es256(signing, claims().build());
        String[] parts = good.split("\\.");
        String tampered = parts[0] + "." + Base64URL.encode(claims().subject("1").build().toString()) + "." + parts[2];
        assertRefused(tampered, 401);
        ECKey stranger = new ECKeyGenerator(Curve.P_256).keyID("stranger").generate();
        assertRefused(es256(stranger, claims().build()), 401);
    }

    @Test
    void missingScopeIs403() throws Exception {
        assertRefused(es256(signing, claims().claim("scope", "catalog:read").build()), 403);
    }

    @Test
    void identityHeadersFromTheClientAreStripped() {
        var r = Http.get("http://127.0.0.1:" + gateway.address().getPort() + "/api/public", "X-User-Id", "1");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"forgedUser\":\"null\"");
        int before = serviceCalls.get();
        assertThat(me(null, "X-User-Id", "1").statusCode()).isEqualTo(401);
        assertThat(serviceCalls.get()).isEqualTo(before);
    }

    @Test
    void aRevokedJtiIs401() throws Exception {
        String token = es256(signing, claims().jwtID("revoked-1").build());
        assertThat(me(token).statusCode()).isEqualTo(200);
        try (var c = redisClient.connect()) {
            c.sync().setex(RevocationList.PREFIX + "revoked-1", 60, "1");
        }
        Thread.sleep(600); // "not revoked" answers are reused for up to denyListCacheMs (500 ms)
        assertRefused(token, 401);
        assertThat(me(token).body()).contains("revoked");
    }

    @Test
    void forgedTokenAndKeyIdentityHeadersAreReplacedByTheVerifiedOnes() throws Exception {
        var r = me(es256(signing, claims().build()), "X-User-Id", "1", "X-User-Scopes", "admin", "X-Token-Id", "forged",
                "X-Api-Key-Id", "key_forged");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"jti\":\"j1\"").contains("\"key\":\"null\"");
        var pub = Http.get("http://127.0.0.1:" + gateway.address().getPort() + "/api/public", "X-Api-Key-Id", "key_1",
                "X-Token-Id", "t", "X-Api-Plan", "partner");
        assertThat(pub.body()).contains("\"identityHeaders\":[]");
        assertThat(Http.get("http://127.0.0.1:" + gateway.address().getPort() + "/api/public", "x-api-key", "secret").body())
                .as("API keys are never passed on").contains("\"apiKey\":\"null\"");
    }

    @Test
    void aKidNeverPublishedRefetchesAtMostOncePerInterval() throws Exception {
        int before = jwksFetches.get();
        for (int i = 0; i < 20; i++) {
            ECKey stranger = new ECKeyGenerator(Curve.P_256).keyID("flood-" + i).generate();
            assertRefused(es256(stranger, claims().build()), 401);
        }
        assertThat(jwksFetches.get() - before).as("JWKS fetches caused by 20 unknown kids").isLessThanOrEqualTo(1);
    }

    @Test
    void unroutedPathIs404() {
        assertThat(Http.get("http://127.0.0.1:" + gateway.address().getPort() + "/nothing").statusCode()).isEqualTo(404);
    }
}
