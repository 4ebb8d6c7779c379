package io.requestflow.data;

/**
 * Where the cache lives (config section {@code data.redis}).
 *
 * <p>Numeric fields are boxed so that a missing key means "use the default" rather than 0.
 *
 * @param url         external {@code redis://host:port}; {@code null} starts an embedded server instead
 * @param port        port of the embedded server on 127.0.0.1 (default {@value #DEFAULT_PORT}; 0 picks a free one)
 * @param timeoutMs   command timeout clients should use (default {@value #DEFAULT_TIMEOUT_MS})
 * @param maxMemoryMb memory cap of the embedded server, evicting least-recently-used keys beyond it
 *                    (default {@value #DEFAULT_MAX_MEMORY_MB})
 */
public record RedisConfig(String url, Integer port, Integer timeoutMs, Integer maxMemoryMb) {

    public static final int DEFAULT_PORT = 6380;
    public static final int DEFAULT_TIMEOUT_MS = 500;
    public static final int DEFAULT_MAX_MEMORY_MB = 256;

    /** Config key named in errors about the embedded server's port. */
    public static final String PORT_KEY = "data.redis.port";

    public RedisConfig {
        if (url != null && url.isBlank()) {
            url = null;
        }
        if (url != null && !(url.startsWith("redis://") || url.startsWith("rediss://"))) {
            throw new IllegalArgumentException("data.redis.url must start with redis:// or rediss://, got " + url);
        }
        port = port == null ? DEFAULT_PORT : port;
        timeoutMs = timeoutMs == null ? DEFAULT_TIMEOUT_MS : timeoutMs;
        maxMemoryMb = maxMemoryMb == null ? DEFAULT_MAX_MEMORY_MB : maxMemoryMb;
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(PORT_KEY + " must be 0..65535, got " + port);
        }
        if (timeoutMs < 1) {
            throw new IllegalArgumentException("data.redis.timeoutMs must be positive, got " + timeoutMs);
        }
        if (maxMemoryMb < 1) {
            throw new IllegalArgumentException("data.redis.maxMemoryMb must be positive, got " + maxMemoryMb);
        }
    }

    /** Embedded server on the default port. */
    public static RedisConfig defaults() {
        return new RedisConfig(null, null, null, null);
    }

    /** Embedded server on {@code port} (0 picks a free one). */
    public static RedisConfig embedded(int port) {
        return new RedisConfig(null, port, null, null);
    }

    /** An existing server; nothing is started. */
    public static RedisConfig external(String url) {
        return new RedisConfig(url, null, null, null);
    }

    /** True when no external URL is set. Not named isX/getX so Jackson does not serialize it. */
    public boolean usesEmbedded() {
        return url == null;
    }
}
