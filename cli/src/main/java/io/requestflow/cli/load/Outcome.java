package io.requestflow.cli.load;

/**
 * What became of one request. Latency is measured from the time the schedule intended to send it, not
 * from when a connection was free, so a slow server cannot hide its own latency (no coordinated omission).
 *
 * @param planned       the request
 * @param intendedNanos when the schedule meant to send it ({@link System#nanoTime()} clock)
 * @param endNanos      when the last byte arrived or the failure was known
 * @param status        HTTP status, or 0 when no response arrived
 * @param error         null for a good answer (status < 400, or one its endpoint expects); otherwise what went wrong
 * @param detail        a short description of the error (first of its kind is shown in the report)
 * @param serverTiming  the {@code Server-Timing} response header, or null
 * @param edgeCache     {@code X-Cache} or {@code Cache-Status} response header, or null
 * @param dnsNanos      time of the DNS lookup a new connection paid, or -1
 * @param protocol      "h1" or "h2" when a response arrived, else null
 */
public record Outcome(Workload.Planned planned, long intendedNanos, long endNanos, int status, Kind error,
                      String detail, String serverTiming, String edgeCache, long dnsNanos,
                      String protocol) {

    /** How a request failed; every failure is counted under one of these, never dropped. */
    public enum Kind {
        /** an HTTP response with status >= 400 its endpoint does not expect, or one outside what it expects */
        STATUS,
        /** no complete response within the request timeout */
        TIMEOUT,
        /** TCP (or TLS) connection could not be opened */
        CONNECT,
        /** the connection closed or failed mid-request */
        RESET,
        /** the response was malformed or larger than the limit */
        PROTOCOL,
        /** the generator's own queue of requests waiting for a connection was full */
        OVERLOAD,
        /** the host did not resolve through the project's DNS */
        DNS;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public long latencyNanos() {
        return endNanos - intendedNanos;
    }
}
