package io.requestflow.dns;

import java.util.Locale;

/** The dns hop could not open its UDP or TCP listener; the message says what to change. */
public final class DnsBindException extends RuntimeException {

    DnsBindException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Words a bind failure for the person who ran the command: which address, which protocol, why, and the
     * config key to change.
     */
    static DnsBindException of(String host, int port, String protocol, Throwable cause) {
        String detail = cause == null || cause.getMessage() == null ? "" : cause.getMessage().toLowerCase(Locale.ROOT);
        String reason;
        String advice;
        if (detail.contains("already in use")) {
            reason = "address already in use";
            advice = "is another Requestflow running? change dns.port in config/topology.yaml";
        } else if (detail.contains("permission denied") || detail.contains("access denied")) {
            reason = "permission denied";
            advice = "ports below 1024 need privileges; change dns.port in config/topology.yaml";
        } else if (detail.contains("cannot assign") || detail.contains("unknown host") || detail.contains("unresolved")) {
            reason = "no such local address";
            advice = "change dns.host in config/topology.yaml";
        } else {
            reason = cause == null ? "unknown error" : String.valueOf(cause.getMessage());
            advice = "check dns.host and dns.port in config/topology.yaml";
        }
        return new DnsBindException("dns: cannot listen on " + host + ":" + port + "/" + protocol
                + " (" + reason + ") — " + advice, cause);
    }
}
