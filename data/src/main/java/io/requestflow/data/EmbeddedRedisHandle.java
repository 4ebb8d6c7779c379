package io.requestflow.data;

import java.nio.file.Path;

/**
 * A data tier's embedded Redis, which a fault drill ({@code ./flow break redis}) may stop and start
 * again: it comes back on the same port with the same settings, so clients reconnect by themselves.
 */
public final class EmbeddedRedisHandle implements Restartable, AutoCloseable {
    private final Path dataDir;
    private final RedisConfig config;
    private EmbeddedRedisServer server;

    EmbeddedRedisHandle(Path dataDir, RedisConfig config, EmbeddedRedisServer server) {
        this.dataDir = dataDir;
        // the port it got (it may have been 0: any free port), kept for restarts
        this.config = new RedisConfig(null, server.port(), config.timeoutMs(), config.maxMemoryMb());
        this.server = server;
    }

    @Override
    public synchronized boolean running() {
        return server != null;
    }

    @Override
    public synchronized void stop() {
        if (server == null) return;
        server.close();
        server = null;
    }

    @Override
    public synchronized void start() {
        if (server == null) server = EmbeddedRedisServer.start(dataDir, config);
    }

    public int port() {
        return config.port();
    }

    @Override
    public void close() {
        stop();
    }
}
