package io.requestflow.services;

import io.lettuce.core.RedisClient;
import io.requestflow.data.RedisClients;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
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
    private final java.util.List<AutoCloseable> subscriptions = new java.util.concurrent.CopyOnWriteArrayList<>();

    public RedisCache(String url, Duration timeout) {
        RedisURI uri = RedisURI.create(url);
        this.client = RedisClients.failFast(url, timeout);
        try {
            commands(); // connect now, so the first request does not pay for it
        } catch (RuntimeException e) {
            LOG.warn("redis at {}:{} is not reachable yet ({}); reads go to PostgreSQL until it is", uri.getHost(), uri.getPort(), e.getMessage());
        }
    }

    public String get(Exchange exchange, String key) {
        return read(exchange, key).value();
    }

    /** A read that also says whether Redis answered at all ({@code available}), hit or miss. */
    public record Read(String value, boolean available) {}

    public Read read(Exchange exchange, String key) {
        Span span = exchange.tracing().startClient(exchange.span(), "redis GET");
        long start = System.nanoTime();
        String desc = "miss";
        try {
            String value = commands().get(key);
            if (value != null) desc = "hit";
            return new Read(value, true);
        } catch (RuntimeException e) {
            desc = "error";
            span.setStatus(StatusCode.ERROR, e.getMessage());
            LOG.debug("redis GET {} failed; treating as a miss", key, e);
            return new Read(null, false);
        } finally {
            exchange.recordCall("redis", System.nanoTime() - start, desc);
            span.setAttribute("requestflow.cache", desc);
            span.end();
        }
    }

    /** SET NX PX: true if this caller now holds {@code key} (a loader lock); false if taken or Redis failed. */
    public boolean tryLock(String key, long ttlMs) {
        try {
            return "OK".equals(commands().set(key, "1", SetArgs.Builder.nx().px(ttlMs)));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Deletes keys, ignoring failures (the entries expire by themselves). */
    public void delete(String... keys) {
        try {
            commands().del(keys);
        } catch (RuntimeException e) {
            LOG.debug("redis DEL failed; entries will expire by their TTL", e);
        }
    }

    /** SET PX without tracing, ignoring failures (callers have a local fallback); false if Redis failed. */
    public boolean overwrite(String key, String value, long ttlMs) {
        try {
            commands().set(key, value, SetArgs.Builder.px(ttlMs));
            return true;
        } catch (RuntimeException e) {
            LOG.debug("redis SET {} failed", key, e);
            return false;
        }
    }

    /** Publishes on a channel; false if Redis did not take it. */
    public boolean publish(String channel, String message) {
        try {
            commands().publish(channel, message);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Listens on {@code channel} on a connection of its own (Lettuce resubscribes after a reconnect);
     * {@code onReconnect} runs when the link drops and when it comes back, since messages sent
     * meanwhile are lost.
     */
    public synchronized boolean subscribe(String channel, java.util.function.Consumer<String> onMessage,
                                          Runnable onReconnect) {
        try {
            var pubsub = client.connectPubSub();
            pubsub.addListener(new io.lettuce.core.pubsub.RedisPubSubAdapter<>() {
                @Override
                public void message(String ch, String message) {
                    if (ch.equals(channel)) onMessage.accept(message);
                }
            });
            client.addListener(new io.lettuce.core.RedisConnectionStateListener() {
                @Override
                public void onRedisConnected(io.lettuce.core.RedisChannelHandler<?, ?> connection,
                                             java.net.SocketAddress address) {
                    onReconnect.run();
                }

                @Override
                public void onRedisDisconnected(io.lettuce.core.RedisChannelHandler<?, ?> connection) {
                    onReconnect.run();
                }
            });
            pubsub.sync().subscribe(channel);
            subscriptions.add(pubsub);
            return true;
        } catch (RuntimeException e) {
            LOG.debug("redis subscribe to {} failed ({})", channel, e.getMessage());
            return false;
        }
    }

    /**
     * Compare-and-set in one atomic script: stores {@code value} for {@code ttlSeconds} only if the key
     * still holds {@code expected} (null: absent). Server-Timing {@code redis;desc=set}, or
     * {@code set-refused} when the key changed meanwhile, or {@code set-skipped} when Redis failed.
     */
    public boolean fill(Exchange exchange, String key, String expected, String value, long ttlSeconds) {
        Span span = exchange.tracing().startClient(exchange.span(), "redis EVAL fill");
        long start = System.nanoTime();
        String desc = "set";
        try {
            Long stored = commands().eval(FILL_IF_UNCHANGED, ScriptOutputType.INTEGER, new String[] {key},
                    expected == null ? "" : expected, value, Long.toString(ttlSeconds));
            if (stored == null || stored == 0) desc = "set-refused";
            return "set".equals(desc);
        } catch (RuntimeException e) {
            desc = "set-skipped";
            span.setStatus(StatusCode.ERROR, e.getMessage());
            LOG.debug("redis SET {} failed; skipped", key, e);
            return false;
        } finally {
            exchange.recordCall("redis", System.nanoTime() - start, desc);
            span.end();
        }
    }

    /** KEYS[1]; ARGV: the value expected now ("" for absent), the new value, its TTL in seconds. */
    private static final String FILL_IF_UNCHANGED = """
            local current = redis.call('GET', KEYS[1])
            if (current or '') ~= ARGV[1] then return 0 end
            redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
            return 1
            """;

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
        for (AutoCloseable sub : subscriptions) {
            try {
                sub.close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
