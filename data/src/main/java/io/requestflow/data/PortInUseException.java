package io.requestflow.data;

/** An embedded server cannot listen because something else already holds its port. */
public final class PortInUseException extends IllegalStateException {

    private final int port;
    private final String configKey;

    PortInUseException(String server, int port, String configKey) {
        super("Cannot start embedded " + server + ": 127.0.0.1:" + port + " is already in use. Stop whatever listens there,"
                + " or set " + configKey + " to another port (0 picks a free one).");
        this.port = port;
        this.configKey = configKey;
    }

    public int port() {
        return port;
    }

    public String configKey() {
        return configKey;
    }
}
