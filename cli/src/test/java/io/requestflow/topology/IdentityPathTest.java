package io.requestflow.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import io.requestflow.balancer.BalancerConfig;
import io.requestflow.engine.http.Json;
import io.requestflow.engine.testing.Http;
import io.requestflow.engine.trace.ServerTiming;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Identity on the whole path (edge → firewall → balancer → two gateways → auth/catalog → Redis/PostgreSQL):
 * key rotation under load fails no request, logout is honoured by both gateways, refresh rotates, and an
 * API key created the way {@code ./flow apikey create} does it works on its route.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IdentityPathTest {
    @TempDir
    static Path dataDir;
    static Stack stack;
    static String base;

    @BeforeAll
    static void up() {
        Topology t = new Topology().ephemeral();
        t.catalogProducts = 50;
        t.balancer.healthCheck = new BalancerConfig.HealthCheck(200, 500, 1, 1);
        t.services.auth.argon2MemoryKib = 1_024;
        t.services.auth.argon2Iterations = 1;
        t.gateway.keyCacheTtlSeconds = 2; // rotations below are spaced wider than this
        t.services.auth.loginMaxPerIp = 10_000; // the rotation test logs in all the time from one address
        t.firewall.rateLimit.requestsPerWindow = 0; // thousands of requests from one address; the limit has its own test
        stack = Stack.start(t, dataDir, line -> {});
        base = "http://127.0.0.1:" + stack.hop("edge").address().getPort();
    }

    @AfterAll
    static void down() {
        if (stack != null) stack.close();
    }

    static HttpResponse<String> post(String path, String json, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "content-type";
        all[1] = "application/json";
        System.arraycopy(headers, 0, all, 2, headers.length);
        return Http.post(base + path, json, all);
    }

    static JsonNode login() {
        var r = post("/api/login", "{\"username\":\"demo\",\"password\":\"demo\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.tree(r.body().getBytes());
    }

    static String authAdmin() {
        return "http://127.0.0.1:" + stack.hop("auth").adminAddress().getPort();
    }

    @Test
    void keyRotationUnderLoadFailsNoRequest() throws Exception {
        AtomicReference<String> token = new AtomicReference<>(login().path("access_token").asText());
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        Set<String> kidsSeen = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(5);
        List<Future<?>> jobs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            jobs.add(pool.submit(() -> {
                while (running.get()) {
                    String t = token.get();
                    var r = Http.get(base + "/api/me", "Authorization", "Bearer " + t);
                    if (r.statusCode() == 200) ok.incrementAndGet();
                    else failures.add(r.statusCode() + " " + r.body());
                }
                return null;
            }));
        }
        // a client that logs in again and again, so new tokens signed by the newest key are in use at once
        jobs.add(pool.submit(() -> {
            while (running.get()) {
                String t = login().path("access_token").asText();
                kidsSeen.add(SignedJWT.parse(t).getHeader().getKeyID());
                token.set(t);
                Thread.sleep(250); // stays under the login route's 10/s per-client throttle
            }
            return null;
        }));
        for (int rotation = 0; rotation < 3; rotation++) {
            Thread.sleep(3_000);
            assertThat(Http.post(authAdmin() + "/keys/rotate", "").statusCode()).isEqualTo(200);
        }
        Thread.sleep(1_500);
        running.set(false);
        for (Future<?> f : jobs) f.get();
        pool.shutdown();
        System.out.printf("key rotation under load: %d requests ok, %d failed, %d signing keys used%n", ok.get(),
                failures.size(), kidsSeen.size());
        assertThat(failures).isEmpty();
        assertThat(kidsSeen).as("tokens from every key generation were used").hasSize(4);
        assertThat(ok.get()).isGreaterThan(100);
    }

    @Test
    void logoutIsHonouredByEveryGatewayAndRefreshRotates() throws Exception {
        JsonNode t = login();
        String access = t.path("access_token").asText();
        // both gateway instances accept it (the balancer alternates)
        for (int i = 0; i < 4; i++) assertThat(Http.get(base + "/api/me", "Authorization", "Bearer " + access).statusCode()).isEqualTo(200);

        var refreshed = post("/api/token/refresh", "{\"refresh_token\":\"" + t.path("refresh_token").asText() + "\"}");
        assertThat(refreshed.statusCode()).isEqualTo(200);
        JsonNode t2 = Json.tree(refreshed.body().getBytes());
        String access2 = t2.path("access_token").asText();

        assertThat(post("/api/logout", "{\"refresh_token\":\"" + t2.path("refresh_token").asText() + "\"}",
                "Authorization", "Bearer " + access2).statusCode()).isEqualTo(204);
        Thread.sleep(600); // gateways reuse "not revoked" answers for up to gateway.denyListCacheMs (500 ms)
        for (int i = 0; i < 4; i++) {
            var r = Http.get(base + "/api/me", "Authorization", "Bearer " + access2);
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.body()).contains("revoked");
            List<String> hops = ServerTiming.parse(r.headers().firstValue("server-timing").orElseThrow()).stream()
                    .map(ServerTiming.Entry::name).toList();
            assertThat(hops).doesNotContain("auth");
        }
        // the first access token's family was revoked with the logout as well
        assertThat(Http.get(base + "/api/me", "Authorization", "Bearer " + access).statusCode()).isEqualTo(401);
        assertThat(post("/api/token/refresh", "{\"refresh_token\":\"" + t2.path("refresh_token").asText() + "\"}")
                .statusCode()).isEqualTo(401);
    }

    @Test
    void anApiKeyWorksOnItsRouteAndVersionedPathsAreRewritten() {
        var created = Http.post(authAdmin() + "/apikeys?plan=free", "");
        assertThat(created.statusCode()).isEqualTo(201);
        String key = Json.tree(created.body().getBytes()).path("key").asText();
        var r = Http.get(base + "/api/partner/v1/products/5", "x-api-key", key);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"id\":5");
        assertThat(r.headers().firstValue("ratelimit-limit")).hasValue("10");
        assertThat(Http.get(base + "/api/partner/v1/products/5").statusCode()).isEqualTo(401);
        assertThat(Http.get(base + "/api/partner/v1/products/5", "x-api-key", "rfk_wrong").statusCode()).isEqualTo(401);
        assertThat(Http.get(base + "/api/v1/products/5").body()).contains("\"id\":5");
    }

    @Test
    void signupThenLoginThroughTheGateway() {
        assertThat(post("/api/signup", "{\"username\":\"dora\",\"password\":\"a long passphrase\"}").statusCode()).isEqualTo(201);
        assertThat(post("/api/login", "{\"username\":\"dora\",\"password\":\"a long passphrase\"}").statusCode()).isEqualTo(200);
        assertThat(Http.send("GET", base + "/api/login", null).statusCode()).isEqualTo(405);
        assertThat(Http.post(base + "/api/login", "username=dora", "content-type", "application/x-www-form-urlencoded")
                .statusCode()).isEqualTo(415);
    }
}
