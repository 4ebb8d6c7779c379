package io.requestflow.gateway;

import io.lettuce.core.RedisClient;
import io.requestflow.data.RedisClients;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.lettuce.core.RedisFuture;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The gateway's Redis: buckets, quota counters and the token deny list. It tracks whether Redis is
 * usable; after a failure callers use their fallback for {@code retryMs} before Redis is tried again, so
 * an outage costs one timeout per interval rather than one per request. Transitions are logged once
 * and exported as the {@code gateway_redis_up} gauge.
 */
public final class GatewayRedis implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayRedis.class);

    private final RedisClient client;
    private final GatewayConfig.Redis config;
    private final String where;
    private volatile StatefulRedisConnection<String, byte[]> connection;
    private volatile long downUntilNanos;
    private final AtomicBoolean down = new AtomicBoolean(false);

    public GatewayRedis(GatewayConfig.Redis config, MeterRegistry registry) {
        this.config = config;
        RedisURI uri = RedisURI.create(config.url());
        Duration timeout = Duration.ofMillis(config.timeoutMs());
        this.where = uri.getHost() + ":" + uri.getPort();
        this.client = RedisClients.failFast(config.url(), timeout);
        registry.gauge("gateway_redis_up", this, r -> r.down.get() ? 0 : 1);
        try {
            connection();
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    public GatewayConfig.Redis config() {
        return config;
    }

    /** False while in the back-off after a failure: use the fallback without trying Redis. */
    public boolean usable() {
        return !down.get() || System.nanoTime() - downUntilNanos >= 0;
    }

    /** The connection (keys as strings, values as bytes, which Bucket4j needs); connects if needed. */
    public StatefulRedisConnection<String, byte[]> connection() {
        StatefulRedisConnection<String, byte[]> c = connection;
        if (c == null) {
            synchronized (this) {
                c = connection;
                if (c == null) {
                    c = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
                    connection = c;
                }
            }
        }
        return c;
    }

    /** Runs one command; a failure (including not being able to connect) completes the future exceptionally. */
    public <T> CompletableFuture<T> call(Function<RedisAsyncCommands<String, byte[]>, RedisFuture<T>> command) {
        try {
            return command.apply(connection().async()).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Records a failed call: back off, and log the first failure of an outage. */
    public void failed(Throwable error) {
        downUntilNanos = System.nanoTime() + config.retryMs() * 1_000_000L;
        if (down.compareAndSet(false, true)) {
            LOG.warn("gateway: redis at {} is unreachable ({}); {} until it returns", where, error.getMessage(),
                    config.failClosed() ? "answering 503 (fail-closed)"
                            : "throttling with local per-instance buckets, quotas and the deny list unchecked (fail-open)");
        }
    }

    /** Records a successful call. */
    public void succeeded() {
        if (down.get() && down.compareAndSet(true, false)) LOG.info("gateway: redis at {} is back; shared buckets in use again", where);
    }

    public boolean isDown() {
        return down.get();
    }

    @Override
    public void close() {
        StatefulRedisConnection<String, byte[]> c = connection;
        if (c != null) c.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
