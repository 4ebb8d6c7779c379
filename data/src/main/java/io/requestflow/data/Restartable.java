package io.requestflow.data;

import java.util.function.Supplier;

/**
 * An embedded server a fault drill ({@code ./flow break redis|kafka}) may stop and start again: the
 * starter brings it back on the port it had, with the same settings, so clients reconnect by themselves.
 */
public final class Restartable implements AutoCloseable {
    private final Supplier<? extends AutoCloseable> starter;
    private AutoCloseable server;

    /** {@code server} runs now; {@code starter} starts it again where it was. */
    public Restartable(AutoCloseable server, Supplier<? extends AutoCloseable> starter) {
        this.server = server;
        this.starter = starter;
    }

    public synchronized boolean running() {
        return server != null;
    }

    /** Stops it; a no-op when it is stopped already. */
    public synchronized void stop() {
        if (server == null) return;
        try {
            server.close();
        } catch (Exception e) {
            throw new IllegalStateException("stopping failed: " + e.getMessage(), e);
        } finally {
            server = null;
        }
    }

    /** Starts it again; a no-op when it runs. */
    public synchronized void start() {
        if (server == null) server = starter.get();
    }

    @Override
    public void close() {
        stop();
    }
}
