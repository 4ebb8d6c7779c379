package io.requestflow.gateway;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.requestflow.data.EmbeddedRedisServer;
import io.requestflow.data.RedisConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deny list's staleness bound against a real Redis: a revocation is seen by every check made
 * {@code denyListCacheMs} after it was written, whatever was cached before; with 0 the very next check
 * sees it; a revoked answer is never reused.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RevocationListTest {
    @TempDir
    static Path dir;
    static EmbeddedRedisServer redis;
    static RedisClient client;
    static StatefulRedisConnection<String, String> writer;

    @BeforeAll
    static void start() throws Exception {
        redis = EmbeddedRedisServer.start(dir, RedisConfig.embedded(0));
        client = RedisClient.create("redis://127.0.0.1:" + redis.port());
        writer = client.connect();
    }

    @AfterAll
    static void stop() {
        writer.close();
        client.shutdown();
        redis.close();
    }

    static RevocationList list(long cacheMs) {
        var config = new GatewayConfig.Redis("redis://127.0.0.1:" + redis.port(), 2_000, false, 1000, cacheMs, 0,
                GatewayConfig.Redis.DEFAULT_LEASE_MS, GatewayConfig.Redis.DEFAULT_MAX_LEASE_TOKENS);
        return new RevocationList(new GatewayRedis(config, new SimpleMeterRegistry()), cacheMs);
    }

    static void revoke(String jti) {
        writer.sync().setex(RevocationList.PREFIX + jti, 60, "1");
    }

    @Test
    void aRevocationIsSeenByEveryCheckMadeDenyListCacheMsAfterIt() throws Exception {
        RevocationList list = list(300);
        assertThat(list.status("t-bound").get()).isEqualTo(RevocationList.Status.ACTIVE);
        assertThat(list.knownActive("t-bound")).as("the answer is reused").isTrue();
        revoke("t-bound");
        long revokedAt = System.nanoTime();
        Thread.sleep(300);
        assertThat(System.nanoTime() - revokedAt).isGreaterThanOrEqualTo(300_000_000L);
        assertThat(list.knownActive("t-bound")).isFalse();
        assertThat(list.status("t-bound").get()).isEqualTo(RevocationList.Status.REVOKED);
    }

    @Test
    void withZeroEveryCheckAsksRedis() throws Exception {
        RevocationList list = list(0);
        assertThat(list.status("t-zero").get()).isEqualTo(RevocationList.Status.ACTIVE);
        assertThat(list.knownActive("t-zero")).isFalse();
        revoke("t-zero");
        assertThat(list.status("t-zero").get()).isEqualTo(RevocationList.Status.REVOKED);
    }

    @Test
    void revokedIsNeverReused() throws Exception {
        RevocationList list = list(60_000);
        revoke("t-revoked");
        assertThat(list.status("t-revoked").get()).isEqualTo(RevocationList.Status.REVOKED);
        assertThat(list.knownActive("t-revoked")).isFalse();
        assertThat(list.status("t-revoked").get()).isEqualTo(RevocationList.Status.REVOKED);
    }
}
