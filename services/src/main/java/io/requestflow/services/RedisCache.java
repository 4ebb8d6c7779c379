package io.requestflow.services;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.requestflow.engine.pipeline.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Redis for cache-aside, traced: each call is a CLIENT span and a {@code redis;dur=…;desc=hit|miss}
 * Server-Timing entry. The cache is an optimisation, never a dependency: when Redis fails or times
 * out, reads report a miss and writes are skipped, and the service goes to PostgreSQL instead.
 */
public final class RedisCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisCache.class);

    private final RedisClient client;
    private volatile StatefulRedisConnection<String, String> connection;

    public RedisCache(String url, Duration timeout) {
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(timeout);
        this.client = RedisClient.create(uri);
        // fail fast while Redis is down instead of queueing commands until it returns
        this.client.setOptions(ClientOptions.builder()
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build());
        try {
            commands(); // connect now, so the first request does not pay for it
        } catch (RuntimeException e) {
            LOG.warn("redis at {}:{} is not reachable yet ({}); reads go to PostgreSQL until it is", uri.getHost(), uri.getPort(), e.getMessage());
        }
    }

    public String get(Exchange exchange, String key) {
        Span span = exchange.tracing().startClient(exchange.span(), "redis GET");
        long start = System.nanoTime();
        String desc = "miss";
        try {
            String value = commands().get(key);
            if (value != null) desc = "hit";
            return value;
        } catch (RuntimeException e) {
            desc = "error";
            span.setStatus(StatusCode.ERROR, e.getMessage());
            LOG.debug("redis GET {} failed; treating as a miss", key, e);
            return null;
        } finally {
            exchange.recordCall("redis", System.nanoTime() - start, desc);
            span.setAttribute("requestflow.cache", desc);
            span.end();
        }
    }

    public void set(Exchange exchange, String key, String value, long ttlSeconds) {
        Span span = exchange.tracing().startClient(exchange.span(), "redis SET");
        long start = System.nanoTime();
        String desc = "set";
        try {
            commands().set(key, value, SetArgs.Builder.ex(ttlSeconds));
        } catch (RuntimeException e) {
            desc = "set-skipped";
            span.setStatus(StatusCode.ERROR, e.getMessage());
            LOG.debug("redis SET {} failed; skipped", key, e);
        } finally {
            exchange.recordCall("redis", System.nanoTime() - start, desc);
            span.end();
        }
    }

    private RedisCommands<String, String> commands() {
        StatefulRedisConnection<String, String> c = connection;
        if (c == null || !c.isOpen()) {
            synchronized (this) {
                c = connection;
                if (c == null || !c.isOpen()) {
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
