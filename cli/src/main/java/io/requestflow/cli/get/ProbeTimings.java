package io.requestflow.cli.get;

/**
 * Where the client's time went, per phase, in nanoseconds; {@link #NOT_APPLICABLE} where a phase did
 * not happen (no DNS lookup for an IP literal or {@code localhost}, no TLS for {@code http}).
 *
 * @param dnsNanos     the lookup through the project's DNS server
 * @param connectNanos the TCP connect (SYN to established)
 * @param tlsNanos     the TLS handshake, after the connect
 * @param ttfbNanos    time to first byte: from sending the request to the first response byte
 *                     (the server's time plus one round trip)
 * @param totalNanos   from the start of the lookup to the last byte of the response
 */
public record ProbeTimings(long dnsNanos, long connectNanos, long tlsNanos, long ttfbNanos, long totalNanos) {
    public static final long NOT_APPLICABLE = -1;

    public Double dnsMs() {
        return ms(dnsNanos);
    }

    public Double connectMs() {
        return ms(connectNanos);
    }

    public Double tlsMs() {
        return ms(tlsNanos);
    }

    public Double ttfbMs() {
        return ms(ttfbNanos);
    }

    public Double totalMs() {
        return ms(totalNanos);
    }

    /** Milliseconds, or null for {@link #NOT_APPLICABLE}. */
    public static Double ms(long nanos) {
        return nanos < 0 ? null : nanos / 1e6;
    }
}
