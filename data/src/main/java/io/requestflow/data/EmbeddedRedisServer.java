package io.requestflow.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * A Redis server run from the binary bundled in codemonstur's embedded-redis, listening on 127.0.0.1 only.
 *
 * <p>It is a cache, so persistence is off (no RDB snapshots, no AOF) and memory is capped with
 * {@code allkeys-lru} eviction: a full cache drops cold keys instead of refusing writes.
 * {@code <dataDir>/redis} holds only its pid file (to find an orphan after a crash) and anything Redis
 * might write to its working directory.
 */
public final class EmbeddedRedisServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedRedisServer.class);

    private final RedisServer server;
    private final DataDirectoryLock lock;
    private final int port;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedRedisServer(RedisServer server, DataDirectoryLock lock, int port) {
        this.server = server;
        this.lock = lock;
        this.port = port;
    }

    public static EmbeddedRedisServer start(Path dataDir, RedisConfig config) {
        Path directory = dataDir.toAbsolutePath().normalize().resolve("redis");
        DataDirectoryLock lock = DataDirectoryLock.acquire(directory, "Redis");
        try {
            Files.createDirectories(directory);
            Path pidFile = directory.resolve("redis.pid");
            OrphanedServer.stopIfRunning(pidFile, name -> name.startsWith("redis-server"), "Redis");
            int port = LoopbackPorts.resolve(config.port(), "Redis", RedisConfig.PORT_KEY);
            long started = System.nanoTime();
            RedisServer server = RedisServer.newRedisServer()
                    .bind(LoopbackPorts.HOST)
                    .port(port)
                    .setting("daemonize no")
                    .setting("pidfile " + quote(pidFile))
                    .setting("dir " + quote(directory))
                    .setting("save \"\"")
                    .setting("appendonly no")
                    .setting("maxmemory " + config.maxMemoryMb() + "mb")
                    .setting("maxmemory-policy allkeys-lru")
                    .build();
            try {
                server.start();
            } catch (IOException e) {
                if (!LoopbackPorts.isFree(port)) {
                    PortInUseException inUse = new PortInUseException("Redis", port, RedisConfig.PORT_KEY);
                    inUse.initCause(e);
                    throw inUse;
                }
                throw new IllegalStateException("Embedded Redis failed to start: " + e.getMessage(), e);
            }
            log.info("Embedded Redis ready at redis://{}:{} in {} ms (maxmemory {} MB, allkeys-lru, no persistence)",
                    LoopbackPorts.HOST, port, (System.nanoTime() - started) / 1_000_000, config.maxMemoryMb());
            return new EmbeddedRedisServer(server, lock, port);
        } catch (IOException e) {
            lock.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** redis.conf string syntax, so paths with spaces survive. */
    private static String quote(Path path) {
        return '"' + path.toString().replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    public int port() {
        return port;
    }

    public String host() {
        return LoopbackPorts.HOST;
    }

    /** {@code redis://127.0.0.1:<port>}, what a client in any process needs. */
    public String url() {
        return "redis://" + LoopbackPorts.HOST + ":" + port;
    }

    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        try {
            server.stop();
            log.info("Stopped embedded Redis on port {}", port);
        } catch (IOException e) {
            throw new UncheckedIOException("stopping embedded Redis failed", e);
        } finally {
            lock.close();
        }
    }
}
