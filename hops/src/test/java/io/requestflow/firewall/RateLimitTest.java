package io.requestflow.firewall;

import io.requestflow.firewall.ratelimit.Decision;
import io.requestflow.firewall.ratelimit.FallbackRateLimiter;
import io.requestflow.firewall.ratelimit.LocalSlidingWindow;
import io.requestflow.firewall.ratelimit.RateLimitConfig;
import io.requestflow.firewall.ratelimit.RedisSlidingWindow;
import io.requestflow.firewall.waf.WafConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.embedded.RedisServer;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-client sliding window: locally, shared through a real Redis, and falling back when Redis is gone. */
class RateLimitTest {
    static final RateLimitConfig FIVE_PER_MINUTE = new RateLimitConfig(5, 60_000, 200, 60_000, 1000);

    @Test
    void slidingWindowWeighsThePreviousWindowAndNamesTheWait() {
        LocalSlidingWindow w = new LocalSlidingWindow(FIVE_PER_MINUTE);
        long start = 60_000 * 1000L; // the start of a window
        for (int i = 0; i < 5; i++) assertThat(w.decide("a", start + i).allowed()).isTrue();
        Decision refused = w.decide("a", start + 10);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfterSeconds()).isBetween(1L, 60L);
        assertThat(w.decide("b", start + 10).allowed()).isTrue();  // per client
        // half-way through the next window, half of the previous window's 6 still count: 3 + 1 <= 5
        assertThat(w.decide("a", start + 90_000).allowed()).isTrue();
        assertThat(w.decide("a", start + 90_001).allowed()).isTrue();
        assertThat(w.decide("a", start + 90_002).allowed()).isFalse();
    }

    @Test
    void firewallAnswers429WithRetryAfter() throws Exception {
        FirewallConfig config = FirewallConfig.defaults().withWaf(WafConfig.defaults().withAuditLog(""))
                .withRateLimit(FIVE_PER_MINUTE);
        try (FirewallUnderTest fw = new FirewallUnderTest(config, null, null)) {
            byte[] get = "GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: t\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII);
            int ok = 0;
            String last = "";
            for (int i = 0; i < 7; i++) {
                last = fw.exchange(get);
                if (FirewallUnderTest.statusOf(last) == 200) ok++;
            }
            assertThat(ok).isEqualTo(5);
            assertThat(FirewallUnderTest.statusOf(last)).isEqualTo(429);
            assertThat(last.toLowerCase()).containsPattern("retry-after: [1-9][0-9]*");
            assertThat(last).contains("application/problem+json");
        }
    }

    @Test
    void instancesShareTheWindowThroughRedisAndFallBackWhenItDies(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        RedisServer redis = RedisServer.newRedisServer().bind("127.0.0.1").port(port).setting("daemonize no")
                .setting("save \"\"").setting("appendonly no").setting("dir " + dir.toAbsolutePath()).build();
        redis.start();
        String url = "redis://127.0.0.1:" + port;
        try (FallbackRateLimiter one = new FallbackRateLimiter(FIVE_PER_MINUTE, () -> new RedisSlidingWindow(url, FIVE_PER_MINUTE));
             FallbackRateLimiter two = new FallbackRateLimiter(FIVE_PER_MINUTE, () -> new RedisSlidingWindow(url, FIVE_PER_MINUTE))) {
            long deadline = System.currentTimeMillis() + 10_000;
            while (!(one.shared() && two.shared()) && System.currentTimeMillis() < deadline) Thread.sleep(20);
            long now = System.currentTimeMillis();
            int allowed = 0;
            for (int i = 0; i < 4; i++) {
                Decision a = one.hit("10.1.1.1", now).join();
                Decision b = two.hit("10.1.1.1", now).join();
                assertThat(a.source()).isEqualTo("redis");
                if (a.allowed()) allowed++;
                if (b.allowed()) allowed++;
            }
            assertThat(allowed).as("two instances, one shared limit of 5").isEqualTo(5);
            redis.stop();
            Decision fallback = one.hit("10.2.2.2", System.currentTimeMillis()).join();
            assertThat(fallback.source()).isEqualTo("local");
            assertThat(fallback.allowed()).isTrue();
            for (int i = 0; i < 5; i++) one.hit("10.2.2.2", System.currentTimeMillis()).join();
            assertThat(one.hit("10.2.2.2", System.currentTimeMillis()).join().allowed()).isFalse();
        } finally {
            if (redis.isActive()) redis.stop();
        }
    }

    @Test
    void noRedisAtAllCountsLocally() {
        try (FallbackRateLimiter limiter = new FallbackRateLimiter(FIVE_PER_MINUTE,
                () -> new RedisSlidingWindow("redis://127.0.0.1:1", FIVE_PER_MINUTE))) {
            Decision d = limiter.hit("c", System.currentTimeMillis()).join();
            assertThat(d.source()).isEqualTo("local");
            assertThat(d.allowed()).isTrue();
        }
    }
}
