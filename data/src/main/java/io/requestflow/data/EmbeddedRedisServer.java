package io.requestflow.data;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

/**
 * A Redis server run from the binary bundled in codemonstur's embedded-redis, listening on 127.0.0.1 only.
 *
 * <p>It is a cache, so persistence is off (no RDB snapshots, no AOF) and memory is capped with
 * {@code allkeys-lru} eviction: a full cache drops cold keys instead of refusing writes.
 * {@code <dataDir>/redis} holds only its pid file (to find an orphan after a crash), the launcher that gives it
 * a session of its own, and anything Redis might write to its working directory.
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
                    .executableProvider(() -> ownSession(ExecutableProvider.newJarResourceProvider().get(), directory))
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

    /**
     * A launcher that runs the bundled binary in a session of its own ({@code setsid} execs it in place, so
     * the pid stays the binary's). Why: a terminal's Ctrl-C goes to the whole foreground process group, and
     * Redis would stop at once while the hops are still draining; PostgreSQL's {@code pg_ctl} does the same
     * for the databases. Without {@code setsid} on the machine, the binary runs as it is.
     */
    private static File ownSession(File binary, Path directory) throws IOException {
        Path setsid = Stream.of("/usr/bin/setsid", "/bin/setsid").map(Path::of).filter(Files::isExecutable)
                .findFirst().orElse(null);
        if (setsid == null) return binary;
        Path launcher = directory.resolve("redis-server-launcher.sh");
        Files.writeString(launcher, "#!/bin/sh\nexec " + setsid + " " + shellQuote(binary.getAbsolutePath())
                + " \"$@\"\n");
        launcher.toFile().setExecutable(true, true);
        return launcher.toFile();
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
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
