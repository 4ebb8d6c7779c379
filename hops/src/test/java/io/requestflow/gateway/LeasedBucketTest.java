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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One instance's leases against a real Redis: many concurrent takes share a call instead of making one
 * each, a lease serves takes locally, and an empty bucket refuses locally until the next token is due.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LeasedBucketTest {
    static final long LEASE = 2_000_000_000L;

    @TempDir
    static Path dir;
    static EmbeddedRedisServer server;
    static GatewayRedis redis;
    static RedisTokenLeases leases;

    @BeforeAll
    static void start() {
        server = EmbeddedRedisServer.start(dir, RedisConfig.embedded(0));
        redis = new GatewayRedis(new GatewayConfig.Redis(server.url(), 2_000, false, 200), new SimpleMeterRegistry());
        leases = new RedisTokenLeases(redis);
    }

    @AfterAll
    static void stop() {
        if (redis != null) redis.close();
        if (server != null) server.close();
    }

    /** A bucket whose Redis calls are counted. */
    static LeasedBucket bucket(String key, long rate, long burst, AtomicInteger calls) {
        return bucket(key, rate, burst, calls, CompletableFuture.completedFuture(null));
    }

    /** As above, with Redis's answers held back until {@code answersFrom} completes. */
    static LeasedBucket bucket(String key, long rate, long burst, AtomicInteger calls, CompletableFuture<Void> answersFrom) {
        return new LeasedBucket((slot, want, back) -> {
            calls.incrementAndGet();
            return leases.take(key, rate, burst, want, back, LEASE, "t:" + slot)
                    .thenCombine(answersFrom, (grant, ignored) -> grant);
        }, burst, LEASE, 1_000);
    }

    @Test
    void concurrentTakesShareCallsAndALeaseServesLocally() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<Void> redisAnswers = new CompletableFuture<>();
        LeasedBucket bucket = bucket("lb:herd", 1, 1_000, calls, redisAnswers);
        List<CompletableFuture<LeasedBucket.Result>> takes = new ArrayList<>();
        for (int i = 0; i < 100; i++) takes.add(bucket.take()); // all before Redis has answered the first
        redisAnswers.complete(null);
        for (var t : takes) assertThat(t.get(5, TimeUnit.SECONDS).allowed()).isTrue();
        assertThat(calls.get()).as("100 concurrent takes, one call in flight at a time").isLessThanOrEqualTo(5);
        // the last lease was sized to the rate just seen: the next takes are answered without Redis
        int before = calls.get();
        for (int i = 0; i < 20; i++) assertThat(bucket.take().get(5, TimeUnit.SECONDS).allowed()).isTrue();
        assertThat(calls.get() - before).as("served from the lease").isLessThan(20);
    }

    @Test
    void anEmptyBucketRefusesLocallyUntilTheNextTokenIsDue() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        LeasedBucket bucket = bucket("lb:empty", 1, 10, calls); // 1 token/s: refill is slow next to the test
        int allowed = 0;
        for (int i = 0; i < 10; i++) if (bucket.take().get(5, TimeUnit.SECONDS).allowed()) allowed++;
        assertThat(allowed).isEqualTo(10);
        var refused = bucket.take().get(5, TimeUnit.SECONDS);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.waitNanos()).isPositive();
        int before = calls.get();
        for (int i = 0; i < 50; i++) assertThat(bucket.take().get(5, TimeUnit.SECONDS).allowed()).isFalse();
        assertThat(calls.get()).as("refused locally, not one Redis call each").isEqualTo(before);
    }
}
