package io.requestflow.console;

/**
 * The console's listener and its bounds.
 *
 * @param port             where the console listens (0 = any free port)
 * @param adminTimeoutMs   each call to an instance's admin port (state, spans, faults)
 * @param requestTimeoutMs a request sent through the path from the console, lookup to last byte
 */
public record ConsoleSettings(int port, long adminTimeoutMs, long requestTimeoutMs) {
    public static final int DEFAULT_PORT = 9900;

    public ConsoleSettings {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("console.port must be 0..65535, got " + port);
        if (adminTimeoutMs <= 0) throw new IllegalArgumentException("console.adminTimeoutMs must be positive");
        if (requestTimeoutMs <= 0) throw new IllegalArgumentException("console.requestTimeoutMs must be positive");
    }

    public static ConsoleSettings defaults() {
        return new ConsoleSettings(DEFAULT_PORT, 1_000, 10_000);
    }
}
