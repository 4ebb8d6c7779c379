package io.requestflow.dns;

import java.util.Locale;

/** How a query arrived; it bounds the answer's size and tags the metrics. */
public enum DnsTransport {
    UDP,
    TCP;

    /** The metric tag value. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
