package io.requestflow.cli.get;

/**
 * Why a probe got no HTTP response. The message is written for a person ("connection refused by
 * 127.0.0.1:8080 - is `./flow up` running?") and carries no stack trace worth printing; {@link #phase()}
 * and {@link #timedOut()} let callers such as the load generator count failures by kind.
 */
public final class ProbeException extends Exception {

    /** Where the request was when it failed. */
    public enum Phase {
        /** the URL or the request itself is unusable (bad CA file, for example) */
        SETUP,
        /** resolving the host through the project's DNS server */
        DNS,
        /** opening the TCP connection */
        CONNECT,
        /** the TLS handshake */
        TLS,
        /** sending the request or reading the response */
        HTTP
    }

    private final Phase phase;
    private final boolean timedOut;

    public ProbeException(Phase phase, boolean timedOut, String message, Throwable cause) {
        super(message, cause, false, false);
        this.phase = phase;
        this.timedOut = timedOut;
    }

    public ProbeException(Phase phase, String message) {
        this(phase, false, message, null);
    }

    public Phase phase() {
        return phase;
    }

    public boolean timedOut() {
        return timedOut;
    }
}
