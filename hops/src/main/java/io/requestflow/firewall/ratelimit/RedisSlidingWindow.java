package io.requestflow.firewall.ratelimit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The sliding window shared by every firewall instance: one Lua call per request increments the
 * client's current-window counter (expiring after two windows) and returns it with the previous one.
 */
public final class RedisSlidingWindow implements RateLimiter {
    private static final String SCRIPT = """
            local c = redis.call('INCR', KEYS[1])
            if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
            local p = redis.call('GET', KEYS[2])
            return {c, tonumber(p) or 0}
            """;

    /** Bound on establishing the connection; commands use the configured (much shorter) timeout. */
    static final long CONNECT_TIMEOUT_MS = 2_000;

    private final RateLimitConfig config;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> commands;

    /** Connects (bounded by the timeout); throws if Redis cannot be reached now. */
    public RedisSlidingWindow(String redisUrl, RateLimitConfig config) {
        this.config = config;
        RedisURI uri = RedisURI.create(redisUrl);
        uri.setTimeout(Duration.ofMillis(CONNECT_TIMEOUT_MS)); // connecting (off the request path) may take longer
        this.client = RedisClient.create(uri);
        try {
            this.connection = client.connect();
        } catch (RuntimeException e) {
            client.shutdown(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
        this.connection.setTimeout(Duration.ofMillis(config.redisTimeoutMs()));
        this.commands = connection.async();
    }

    @Override
    public CompletableFuture<Decision> hit(String clientKey, long nowMs) {
        long window = nowMs / config.windowMs();
        String base = "requestflow:firewall:rate:" + clientKey + ":";
        return commands.<List<Long>>eval(SCRIPT, ScriptOutputType.MULTI, new String[] {base + window,
                        base + (window - 1)}, Long.toString(2 * config.windowMs()))
                .toCompletableFuture()
                .orTimeout(config.redisTimeoutMs(), TimeUnit.MILLISECONDS)
                .thenApply(r -> SlidingWindow.decide(r.get(0), r.get(1), nowMs, config.windowMs(),
                        config.requestsPerWindow(), "redis"));
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(0, 100, TimeUnit.MILLISECONDS);
    }
}
