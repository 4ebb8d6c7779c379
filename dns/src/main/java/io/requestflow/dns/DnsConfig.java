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
 * @param recordSets             record sets with routing policies and health checks (any type the server serves)
 * @param regions                where clients and answers can be; loopback ranges stand in for places
 * @param latencyMs              client region → answer region → round-trip time, for latency routing
 * @param defaultRegion          the region of a client no range and no GeoLite2 entry places
 * @param geoip                  locate public client addresses with the bundled GeoLite2 country database
 * @param health                 how health-checked answers are checked
 * @param rateLimit              response rate limiting per client subnet (UDP)
 * @param maxQueryBytes          a longer query is dropped (UDP) or ends the connection (TCP): queries are small
 * @param udpSockets             UDP sockets on the port (SO_REUSEPORT, epoll or io_uring only); 0 = one per event loop
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
        int tcpIdleTimeoutSeconds,
        List<RecordSetConfig> recordSets,
        List<RegionConfig> regions,
        Map<String, Map<String, Integer>> latencyMs,
        String defaultRegion,
        boolean geoip,
        HealthConfig health,
        RateLimitConfig rateLimit,
        int maxQueryBytes,
        int udpSockets) {

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
    public static final String DEFAULT_REGION = "us-east";
    public static final int DEFAULT_MAX_QUERY_BYTES = 512;
    /** Loopback ranges that stand for three regions, so one machine can play clients around the world. */
    public static final List<RegionConfig> DEFAULT_REGIONS = List.of(
            new RegionConfig("eu-west", List.of("127.0.1.0/24"), "IE", "EU"),
            new RegionConfig("us-east", List.of("127.0.2.0/24"), "US", "NA"),
            new RegionConfig("ap-south", List.of("127.0.3.0/24"), "IN", "AS"));
    /** Typical round trips between those regions, in milliseconds. */
    public static final Map<String, Map<String, Integer>> DEFAULT_LATENCY_MS = Map.of(
            "eu-west", Map.of("eu-west", 10, "us-east", 80, "ap-south", 120),
            "us-east", Map.of("eu-west", 80, "us-east", 10, "ap-south", 200),
            "ap-south", Map.of("eu-west", 120, "us-east", 200, "ap-south", 10));

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
        recordSets = recordSets == null ? List.of() : List.copyOf(recordSets);
        regions = regions == null ? DEFAULT_REGIONS : List.copyOf(regions);
        latencyMs = latencyMs == null ? DEFAULT_LATENCY_MS : copyLatency(latencyMs);
        defaultRegion = defaultRegion == null || defaultRegion.isBlank() ? DEFAULT_REGION : defaultRegion.strip();
        health = health == null ? HealthConfig.defaults() : health;
        rateLimit = rateLimit == null ? RateLimitConfig.defaults() : rateLimit;
        check(maxQueryBytes >= Header_LENGTH + 5 && maxQueryBytes <= MAX_MESSAGE_SIZE,
                "dns.maxQueryBytes must be 17..65535, got " + maxQueryBytes);
        check(udpSockets >= 0 && udpSockets <= 64, "dns.udpSockets must be 0..64 (0 = one per event loop), got "
                + udpSockets);
    }

    /** A DNS header is 12 bytes; a question is at least 5 more. */
    private static final int Header_LENGTH = 12;

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
            @JsonProperty("tcpIdleTimeoutSeconds") Integer tcpIdleTimeoutSeconds,
            @JsonProperty("recordSets") List<RecordSetConfig> recordSets,
            @JsonProperty("regions") List<RegionConfig> regions,
            @JsonProperty("latencyMs") Map<String, Map<String, Integer>> latencyMs,
            @JsonProperty("defaultRegion") String defaultRegion,
            @JsonProperty("geoip") Boolean geoip,
            @JsonProperty("health") HealthConfig health,
            @JsonProperty("rateLimit") RateLimitConfig rateLimit,
            @JsonProperty("maxQueryBytes") Integer maxQueryBytes,
            @JsonProperty("udpSockets") Integer udpSockets) {
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
                Objects.requireNonNullElse(tcpIdleTimeoutSeconds, DEFAULT_TCP_IDLE_TIMEOUT_SECONDS),
                recordSets, regions, latencyMs, defaultRegion, Objects.requireNonNullElse(geoip, true),
                health, rateLimit, Objects.requireNonNullElse(maxQueryBytes, DEFAULT_MAX_QUERY_BYTES),
                Objects.requireNonNullElse(udpSockets, 0));
    }

    /** All defaults: {@code shop.requestflow.test} → 127.0.0.1, served on 127.0.0.1:5353. */
    public static DnsConfig defaults() {
        return defaults(DEFAULT_EDGE_ADDRESS);
    }

    /** All defaults, with {@code shop.requestflow.test} pointing at the edge's address. */
    public static DnsConfig defaults(String edgeAddress) {
        return fromJson(null, null, null, null, null, Map.of("shop", List.of(edgeAddress)), null, null, null, null,
                null, null, null, null, null, null, null, null, null);
    }

    public DnsConfig withHost(String newHost) {
        return new DnsConfig(newHost, port, zone, ttlSeconds, negativeTtlSeconds, records,
                maxTcpMessageSize, udpPayloadSize, ednsMaxPayload, tcpIdleTimeoutSeconds, recordSets, regions,
                latencyMs, defaultRegion, geoip, health, rateLimit, maxQueryBytes, udpSockets);
    }

    public DnsConfig withPort(int newPort) {
        return new DnsConfig(host, newPort, zone, ttlSeconds, negativeTtlSeconds, records,
                maxTcpMessageSize, udpPayloadSize, ednsMaxPayload, tcpIdleTimeoutSeconds, recordSets, regions,
                latencyMs, defaultRegion, geoip, health, rateLimit, maxQueryBytes, udpSockets);
    }

    public DnsConfig withRecords(Map<String, List<String>> newRecords) {
        return new DnsConfig(host, port, zone, ttlSeconds, negativeTtlSeconds, newRecords,
                maxTcpMessageSize, udpPayloadSize, ednsMaxPayload, tcpIdleTimeoutSeconds, recordSets, regions,
                latencyMs, defaultRegion, geoip, health, rateLimit, maxQueryBytes, udpSockets);
    }

    public DnsConfig withRecordSets(List<RecordSetConfig> newRecordSets) {
        return new DnsConfig(host, port, zone, ttlSeconds, negativeTtlSeconds, records,
                maxTcpMessageSize, udpPayloadSize, ednsMaxPayload, tcpIdleTimeoutSeconds, newRecordSets, regions,
                latencyMs, defaultRegion, geoip, health, rateLimit, maxQueryBytes, udpSockets);
    }

    public DnsConfig withHealth(HealthConfig newHealth) {
        return new DnsConfig(host, port, zone, ttlSeconds, negativeTtlSeconds, records,
                maxTcpMessageSize, udpPayloadSize, ednsMaxPayload, tcpIdleTimeoutSeconds, recordSets, regions,
                latencyMs, defaultRegion, geoip, newHealth, rateLimit, maxQueryBytes,
                udpSockets);
    }

    public DnsConfig withRateLimit(RateLimitConfig newRateLimit) {
        return new DnsConfig(host, port, zone, ttlSeconds, negativeTtlSeconds, records,
                maxTcpMessageSize, udpPayloadSize, ednsMaxPayload, tcpIdleTimeoutSeconds, recordSets, regions,
                latencyMs, defaultRegion, geoip, health, newRateLimit, maxQueryBytes, udpSockets);
    }

    private static Map<String, Map<String, Integer>> copyLatency(Map<String, Map<String, Integer>> latency) {
        Map<String, Map<String, Integer>> copy = new LinkedHashMap<>();
        latency.forEach((from, row) -> {
            check(from != null && row != null, "dns.latencyMs: each client region needs a map of region -> ms");
            row.forEach((to, ms) -> check(to != null && ms != null && ms >= 0,
                    "dns.latencyMs." + from + ": each entry needs a region and a round trip >= 0 ms"));
            copy.put(from, Map.copyOf(row));
        });
        return Collections.unmodifiableMap(copy);
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
