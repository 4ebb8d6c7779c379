package io.requestflow.dns;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code dns} section of the topology: where the authoritative server listens and what the zone holds.
 *
 * <p>Every field has a default, so an empty section (or none) serves {@code shop.requestflow.test} →
 * 127.0.0.1 on 127.0.0.1:5353. Record names are relative to the zone ({@code shop}, {@code @} for the apex)
 * or absolute ({@code shop.requestflow.test.}); a name that already ends in the zone is taken as absolute
 * even without the trailing dot, since that is what people mean when they write it.
 *
 * @param host                   address to listen on, UDP and TCP
 * @param port                   port to listen on, UDP and TCP; 0 picks a free one
 * @param zone                   the zone this server is authoritative for
 * @param ttlSeconds             TTL of every record it serves
 * @param negativeTtlSeconds     SOA minimum: how long resolvers may cache NXDOMAIN and NODATA
 * @param records                owner name → IPv4 (A) and IPv6 (AAAA) addresses
 * @param maxTcpMessageSize      largest DNS message accepted or sent over TCP (the framing allows 65535)
 * @param udpPayloadSize         largest UDP answer for a query without EDNS (RFC 1035 says 512)
 * @param ednsMaxPayload         cap on the UDP size an EDNS client may ask for (1232 avoids IP fragmentation)
 * @param tcpIdleTimeoutSeconds  an idle TCP connection is closed after this long
 */
public record DnsConfig(
        String host,
        int port,
        String zone,
        int ttlSeconds,
        int negativeTtlSeconds,
        Map<String, List<String>> records,
        int maxTcpMessageSize,
        int udpPayloadSize,
        int ednsMaxPayload,
        int tcpIdleTimeoutSeconds) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 5353;
    public static final String DEFAULT_ZONE = "requestflow.test";
    public static final int DEFAULT_TTL_SECONDS = 30;
    public static final int DEFAULT_NEGATIVE_TTL_SECONDS = 30;
    public static final String DEFAULT_EDGE_ADDRESS = "127.0.0.1";
    public static final int DEFAULT_MAX_TCP_MESSAGE_SIZE = 65535;
    public static final int DEFAULT_UDP_PAYLOAD_SIZE = 512;
    public static final int DEFAULT_EDNS_MAX_PAYLOAD = 1232;
    public static final int DEFAULT_TCP_IDLE_TIMEOUT_SECONDS = 10;

    /** RFC 1035's floor: every DNS client can take a 512-byte UDP answer. */
    static final int MIN_MESSAGE_SIZE = 512;
    /** The TCP length prefix is two bytes. */
    static final int MAX_MESSAGE_SIZE = 65535;

    public DnsConfig {
        host = host == null || host.isBlank() ? DEFAULT_HOST : host.strip();
        zone = zone == null || zone.isBlank() ? DEFAULT_ZONE : zone.strip();
        records = records == null ? Map.of("shop", List.of(DEFAULT_EDGE_ADDRESS)) : copy(records);
        check(port >= 0 && port <= 65535, "dns.port must be 0..65535 (0 = any free port), got " + port);
        check(ttlSeconds >= 0, "dns.ttlSeconds must be >= 0, got " + ttlSeconds);
        check(negativeTtlSeconds >= 0, "dns.negativeTtlSeconds must be >= 0, got " + negativeTtlSeconds);
        checkSize("dns.maxTcpMessageSize", maxTcpMessageSize);
        checkSize("dns.udpPayloadSize", udpPayloadSize);
        checkSize("dns.ednsMaxPayload", ednsMaxPayload);
        check(tcpIdleTimeoutSeconds > 0, "dns.tcpIdleTimeoutSeconds must be > 0, got " + tcpIdleTimeoutSeconds);
    }

    /** Reads the topology section; any field left out takes its default. */
    @JsonCreator
    static DnsConfig fromJson(
            @JsonProperty("host") String host,
            @JsonProperty("port") Integer port,
            @JsonProperty("zone") String zone,
            @JsonProperty("ttlSeconds") Integer ttlSeconds,
            @JsonProperty("negativeTtlSeconds") Integer negativeTtlSeconds,
            @JsonProperty("records") Map<String, List<String>> records,
            @JsonProperty("maxTcpMessageSize") Integer maxTcpMessageSize,
            @JsonProperty("udpPayloadSize") Integer udpPayloadSize,
            @JsonProperty("ednsMaxPayload") Integer ednsMaxPayload,
            @JsonProperty("tcpIdleTimeoutSeconds") Integer tcpIdleTimeoutSeconds) {
        return new DnsConfig(
                host,
                Objects.requireNonNullElse(port, DEFAULT_PORT),
                zone,
                Objects.requireNonNullElse(ttlSeconds, DEFAULT_TTL_SECONDS),
                Objects.requireNonNullElse(negativeTtlSeconds, DEFAULT_NEGATIVE_TTL_SECONDS),
                records,
                Objects.requireNonNullElse(maxTcpMessageSize, DEFAULT_MAX_TCP_MESSAGE_SIZE),
                Objects.requireNonNullElse(udpPayloadSize, DEFAULT_UDP_PAYLOAD_SIZE),
                Objects.requireNonNullElse(ednsMaxPayload, DEFAULT_EDNS_MAX_PAYLOAD),
                Objects.requireNonNullElse(tcpIdleTimeoutSeconds, DEFAULT_TCP_IDLE_TIMEOUT_SECONDS));
    }

    /** All defaults: {@code shop.requestflow.test} → 127.0.0.1, served on 127.0.0.1:5353. */
    public static DnsConfig defaults() {
        return defaults(DEFAULT_EDGE_ADDRESS);
    }

    /** All defaults, with {@code shop.requestflow.test} pointing at the edge's address. */
    public static DnsConfig defaults(String edgeAddress) {
        return fromJson(null, null, null, null, null, Map.of("shop", List.of(edgeAddress)), null, null, null, null);
    }

    public DnsConfig withHost(String newHost) {
        return new DnsConfig(newHost, port, zone, ttlSeconds, negativeTtlSeconds, records,
                maxTcpMessageSize, udpPayloadSize, ednsMaxPayload, tcpIdleTimeoutSeconds);
    }

    public DnsConfig withPort(int newPort) {
        return new DnsConfig(host, newPort, zone, ttlSeconds, negativeTtlSeconds, records,
                maxTcpMessageSize, udpPayloadSize, ednsMaxPayload, tcpIdleTimeoutSeconds);
    }

    public DnsConfig withRecords(Map<String, List<String>> newRecords) {
        return new DnsConfig(host, port, zone, ttlSeconds, negativeTtlSeconds, newRecords,
                maxTcpMessageSize, udpPayloadSize, ednsMaxPayload, tcpIdleTimeoutSeconds);
    }

    private static Map<String, List<String>> copy(Map<String, List<String>> records) {
        // Keep the author's order (it is the order answers list the names in) and forbid later edits.
        Map<String, List<String>> copy = new LinkedHashMap<>();
        records.forEach((name, addresses) -> {
            check(name != null, "dns.records: a record name is missing");
            check(addresses != null && !addresses.isEmpty() && addresses.stream().noneMatch(Objects::isNull),
                    "dns.records." + name + ": needs a list of addresses");
            copy.put(name, List.copyOf(addresses));
        });
        return Collections.unmodifiableMap(copy);
    }

    private static void checkSize(String field, int value) {
        check(value >= MIN_MESSAGE_SIZE && value <= MAX_MESSAGE_SIZE,
                field + " must be " + MIN_MESSAGE_SIZE + ".." + MAX_MESSAGE_SIZE + " bytes, got " + value);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
