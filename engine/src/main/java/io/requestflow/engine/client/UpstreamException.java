package io.requestflow.engine.client;

import io.requestflow.engine.net.HostPort;

/** Why an upstream call failed, with the status a proxy should answer for it. */
public final class UpstreamException extends RuntimeException {

    public enum Kind {
        CONNECT_REFUSED(502, "refused the connection"),
        CONNECT_TIMEOUT(504, "did not accept the connection in time"),
        POOL_EXHAUSTED(503, "has no free connection in the pool and the wait queue is full or timed out"),
        CIRCUIT_OPEN(503, "has too many requests in flight from this hop (circuit breaker: client.maxRequests)"),
        TIMEOUT(504, "did not answer in time"),
        RESET(502, "closed the connection before answering"),
        TOO_LARGE(502, "sent a response larger than allowed"),
        PROTOCOL(502, "sent a malformed response");

        public final int status;
        public final String phrase;

        Kind(int status, String phrase) {
            this.status = status;
            this.phrase = phrase;
        }
    }

    private final Kind kind;
    private final HostPort upstream;

    public UpstreamException(Kind kind, HostPort upstream, String detail, Throwable cause) {
        super("upstream " + upstream + " " + kind.phrase + (detail == null ? "" : " (" + detail + ")"), cause, false, false);
        this.kind = kind;
        this.upstream = upstream;
    }

    public Kind kind() {
        return kind;
    }

    public HostPort upstream() {
        return upstream;
    }

    /** True when nothing reached the upstream, so trying another instance is always safe. */
    public boolean nothingSent() {
        return kind == Kind.CONNECT_REFUSED || kind == Kind.CONNECT_TIMEOUT || kind == Kind.POOL_EXHAUSTED
                || kind == Kind.CIRCUIT_OPEN;
    }
}
