package io.requestflow.edge;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * The edge cache's settings.
 *
 * @param enabled              false passes every request to the origin (no lookups, no storing)
 * @param maxBytes             bound on stored bodies and headers; W-TinyLFU decides what stays
 * @param maxEntries           bound on stored URLs: each entry weighs at least {@code maxBytes / maxEntries}
 * @param maxObjectBytes       larger responses are passed through, never stored
 * @param collapseWaitMs       how long a request waits for an identical in-flight miss before going to
 *                             the origin itself
 * @param heuristicMaxSeconds  cap on heuristic freshness (10% of the time since Last-Modified)
 * @param compressMinBytes     smaller bodies are not gzipped
 * @param peers                admin addresses (host:port) of the other edge instances a purge reaches
 */
public record CacheConfig(boolean enabled, long maxBytes, int maxEntries, int maxObjectBytes, long collapseWaitMs,
                          long heuristicMaxSeconds, int compressMinBytes, List<String> peers) {

    public CacheConfig {
        if (maxBytes <= 0 || maxEntries <= 0 || maxObjectBytes <= 0) {
            throw new IllegalArgumentException("edge.cache: maxBytes, maxEntries and maxObjectBytes must be positive");
        }
        peers = peers == null ? List.of() : List.copyOf(peers);
    }

    /** From YAML: any field left out keeps its default. */
    @JsonCreator
    public static CacheConfig of(@JsonProperty("enabled") Boolean enabled, @JsonProperty("maxBytes") Long maxBytes,
                                 @JsonProperty("maxEntries") Integer maxEntries,
                                 @JsonProperty("maxObjectBytes") Integer maxObjectBytes,
                                 @JsonProperty("collapseWaitMs") Long collapseWaitMs,
                                 @JsonProperty("heuristicMaxSeconds") Long heuristicMaxSeconds,
                                 @JsonProperty("compressMinBytes") Integer compressMinBytes,
                                 @JsonProperty("peers") List<String> peers) {
        CacheConfig d = defaults();
        return new CacheConfig(enabled != null ? enabled : d.enabled, maxBytes != null ? maxBytes : d.maxBytes,
                maxEntries != null ? maxEntries : d.maxEntries, maxObjectBytes != null ? maxObjectBytes : d.maxObjectBytes,
                collapseWaitMs != null ? collapseWaitMs : d.collapseWaitMs,
                heuristicMaxSeconds != null ? heuristicMaxSeconds : d.heuristicMaxSeconds,
                compressMinBytes != null ? compressMinBytes : d.compressMinBytes, peers != null ? peers : d.peers);
    }

    public CacheConfig withPeers(List<String> newPeers) {
        return new CacheConfig(enabled, maxBytes, maxEntries, maxObjectBytes, collapseWaitMs, heuristicMaxSeconds,
                compressMinBytes, newPeers);
    }

    public CacheConfig withMaxBytes(long bytes, int entries) {
        return new CacheConfig(enabled, bytes, entries, maxObjectBytes, collapseWaitMs, heuristicMaxSeconds,
                compressMinBytes, peers);
    }

    public static CacheConfig defaults() {
        return new CacheConfig(true, 256L * 1024 * 1024, 100_000, 8 * 1024 * 1024, 3_000, 86_400, 256, List.of());
    }
}
