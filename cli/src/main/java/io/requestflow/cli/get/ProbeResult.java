package io.requestflow.cli.get;

import io.requestflow.engine.trace.ServerTiming;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One HTTP response as the probe saw it, with where it came from and how long each phase took.
 *
 * @param method     the method sent
 * @param uri        the URL requested
 * @param address    the address connected to (the DNS answer, or the IP literal)
 * @param dnsServer  the DNS server that resolved the host, or null when no lookup was needed
 * @param protocol   the response's protocol version, such as {@code HTTP/1.1}
 * @param status     the status code
 * @param reason     the reason phrase
 * @param headers    the response headers in the order received
 * @param body       the whole response body
 * @param timings    the client-side phases
 * @param source     the client address asked for ({@code get --from}), or null for the system's choice
 */
public record ProbeResult(String method, URI uri, InetSocketAddress address, InetSocketAddress dnsServer,
                          String protocol, int status, String reason, List<HeaderField> headers, byte[] body,
                          ProbeTimings timings, java.net.InetAddress source) {

    public ProbeResult {
        headers = List.copyOf(headers);
    }

    /** The first value of a header (names are case-insensitive), or null. */
    public String header(String name) {
        for (HeaderField h : headers) {
            if (h.name().equalsIgnoreCase(name)) return h.value();
        }
        return null;
    }

    /** Every value of a header, in order. */
    public List<String> headers(String name) {
        return headers.stream().filter(h -> h.name().equalsIgnoreCase(name)).map(HeaderField::value).toList();
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /**
     * The hop-by-hop entries of the {@code Server-Timing} header(s) in path order: edge, firewall, balancer,
     * gateway, the service, then the service's calls. Empty when the response has none.
     */
    public List<ServerTiming.Entry> hops() {
        List<String> values = headers(ServerTiming.HEADER);
        return values.isEmpty() ? List.of() : ServerTiming.parse(String.join(", ", values));
    }

    @Override
    public String toString() {
        return method + " " + uri + " -> " + status + " (" + body.length + " bytes)";
    }
}
