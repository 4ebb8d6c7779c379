package io.requestflow.data;

import java.nio.file.Path;

/** The embedded Kafka broker, which a fault drill ({@code ./flow break kafka}) may stop and start again. */
public final class EmbeddedKafkaHandle implements Restartable, AutoCloseable {
    private final Path dataDir;
    private final KafkaConfig config;
    private EmbeddedKafkaServer server;

    public EmbeddedKafkaHandle(Path dataDir, KafkaConfig config, EmbeddedKafkaServer server) {
        this.dataDir = dataDir;
        // the port it got (it may have been 0), kept for restarts: clients find it where it was
        this.config = new KafkaConfig(null, server.port(), config.heapMb());
        this.server = server;
    }

    public String bootstrap() {
        return LoopbackPorts.HOST + ":" + config.port();
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
        if (server == null) server = EmbeddedKafkaServer.start(dataDir, config);
    }

    @Override
    public void close() {
        stop();
    }
}
