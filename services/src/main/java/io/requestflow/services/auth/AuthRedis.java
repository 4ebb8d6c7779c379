package io.requestflow.services.auth;

import io.lettuce.core.RedisClient;
import io.requestflow.data.RedisClients;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The auth service's Redis: login attempt counters and the access-token deny list the gateway reads.
 * Commands time out fast and fail while disconnected (callers decide what that means).
 */
public final class AuthRedis implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuthRedis.class);

    private final RedisClient client;
    private volatile StatefulRedisConnection<String, String> connection;

    public AuthRedis(String url, Duration timeout) {
        RedisURI uri = RedisURI.create(url);
        this.client = RedisClients.failFast(url, timeout);
        try {
            commands();
        } catch (RuntimeException e) {
            LOG.warn("auth: redis at {}:{} is not reachable yet ({})", uri.getHost(), uri.getPort(), e.getMessage());
        }
    }

    /** Increments a counter that expires {@code windowSeconds} after its first increment; returns the count. */
    public long increment(String key, long windowSeconds) {
        RedisCommands<String, String> c = commands();
        long n = c.incr(key);
        if (n == 1) c.expire(key, windowSeconds);
        return n;
    }

    public long ttlSeconds(String key) {
        return Math.max(1, commands().ttl(key));
    }

    public long get(String key) {
        String v = commands().get(key);
        return v == null ? 0 : Long.parseLong(v);
    }

    public void delete(String key) {
        commands().del(key);
    }

    /** Sets a flag that expires after {@code ttlSeconds}. */
    public void flag(String key, long ttlSeconds) {
        commands().set(key, "1", SetArgs.Builder.ex(Math.max(1, ttlSeconds)));
    }

    /** Sets the flag unless present; true when it was missing. */
    public boolean flagIfAbsent(String key, long ttlSeconds) {
        return "OK".equals(commands().set(key, "1", SetArgs.Builder.nx().ex(Math.max(1, ttlSeconds))));
    }

    private RedisCommands<String, String> commands() {
        StatefulRedisConnection<String, String> c = connection;
        if (c == null) {
            synchronized (this) {
                c = connection;
                if (c == null) {
                    c = client.connect();
                    connection = c;
                }
            }
        }
        return c.sync();
    }

    @Override
    public void close() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) c.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
