package io.requestflow.gateway;

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
 * The lease script against a real Redis, with two "instances" (two {@link RedisTokenLeases}, each its
 * own id): a lease never takes more than the bucket holds, the bucket cannot refill over tokens still
 * leased (that is what keeps the shared upper bound exact), given-back tokens return, expired leases
 * free their share, and a Redis that forgot the script (restart, SCRIPT FLUSH) is handled.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisTokenLeasesTest {
    static final long LONG_LEASE = 5_000_000_000L;

    @TempDir
    static Path dir;
    static EmbeddedRedisServer server;
    static GatewayRedis redis;

    @BeforeAll
    static void start() {
        server = EmbeddedRedisServer.start(dir, RedisConfig.embedded(0));
        redis = new GatewayRedis(new GatewayConfig.Redis(server.url(), 2_000, false, 200), new SimpleMeterRegistry());
    }

    @AfterAll
    static void stop() {
        if (redis != null) redis.close();
        if (server != null) server.close();
    }

    static RedisTokenLeases.Grant take(RedisTokenLeases who, String key, long rate, long burst, long want, long back,
                                       long leaseNanos) throws Exception {
        return who.take(key, rate, burst, want, back, leaseNanos, "1").get(5, TimeUnit.SECONDS);
    }

    @Test
    void theBucketDoesNotRefillOverTokensStillLeased() throws Exception {
        RedisTokenLeases a = new RedisTokenLeases(redis);
        RedisTokenLeases b = new RedisTokenLeases(redis);
        RedisTokenLeases c = new RedisTokenLeases(redis);
        assertThat(take(a, "t:cap", 1000, 10, 4, 0, LONG_LEASE).granted()).isEqualTo(4);
        var second = take(b, "t:cap", 1000, 10, 50, 0, LONG_LEASE);
        assertThat(second.granted()).as("never more than the bucket holds").isEqualTo(6);
        assertThat(second.remaining()).isZero();
        Thread.sleep(50); // 50 tokens' worth of refill at 1000/s, but all 10 are out on leases a and b may still use
        var third = take(c, "t:cap", 1000, 10, 10, 0, LONG_LEASE);
        assertThat(third.granted()).as("a plain bucket would be full again; tokens in Redis + tokens leased <= burst")
                .isZero();
        assertThat(third.waitNanos()).as("the next token comes when the first lease expires").isGreaterThan(1_000_000_000L);
        assertThat(take(b, "t:cap", 1000, 10, 0, 6, LONG_LEASE).granted()).as("b gives all 6 back, takes none").isZero();
        var fourth = take(c, "t:cap", 1000, 10, 10, 0, LONG_LEASE);
        assertThat(fourth.granted()).as("b's 6 are back; a still holds 4").isEqualTo(6);
    }

    @Test
    void givenBackTokensReturnAndExpiredLeasesFreeTheirShare() throws Exception {
        RedisTokenLeases a = new RedisTokenLeases(redis);
        RedisTokenLeases b = new RedisTokenLeases(redis);
        // rate 1/s: refill is negligible during the test
        assertThat(take(a, "t:back", 1, 10, 10, 0, LONG_LEASE).granted()).isEqualTo(10);
        assertThat(take(b, "t:back", 1, 10, 10, 0, LONG_LEASE).granted()).isZero();
        assertThat(take(a, "t:back", 1, 10, 0, 7, LONG_LEASE).granted()).as("a gives 7 back, takes none").isZero();
        assertThat(take(b, "t:back", 1, 10, 10, 0, LONG_LEASE).granted()).isEqualTo(7);

        assertThat(take(a, "t:expire", 1000, 10, 10, 0, 100_000_000L).granted()).isEqualTo(10);
        assertThat(take(b, "t:expire", 1000, 10, 10, 0, 100_000_000L).granted()).isZero();
        Thread.sleep(250);
        assertThat(take(b, "t:expire", 1000, 10, 10, 0, 100_000_000L).granted())
                .as("a's lease expired: its unused tokens are gone but the bucket refilled").isEqualTo(10);
    }

    @Test
    void aRedisThatForgotTheScriptLoadsItAgain() throws Exception {
        RedisTokenLeases a = new RedisTokenLeases(redis);
        assertThat(take(a, "t:flush", 1, 5, 1, 0, LONG_LEASE).granted()).isEqualTo(1);
        redis.connection().sync().scriptFlush();
        assertThat(take(a, "t:flush", 1, 5, 1, 0, LONG_LEASE).granted()).isEqualTo(1);
    }
}
