package io.requestflow.engine.client;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * Limits of the pooled upstream client; every outbound HTTP call a hop makes obeys these.
 *
 * @param connectTimeoutMs   TCP connect must finish within this (504 otherwise)
 * @param readTimeoutMs      the whole response must arrive within this after the request is sent (504)
 * @param maxConnections     open connections per upstream address (the pool bound, shared out between event loops)
 * @param maxPending         requests allowed to wait for a pooled connection (503 above it)
 * @param acquireTimeoutMs   how long a request may wait for a pooled connection (503 after it)
 * @param idleTimeoutMs      pooled keep-alive connections idle this long are closed
 * @param maxResponseBytes   largest response body accepted from upstream (502 above it)
 * @param maxRequests        requests in flight to one upstream address, waiting ones included; above it
 *                           the call fails at once with 503 (Envoy's max_requests circuit breaker)
 */
public record ClientConfig(long connectTimeoutMs, long readTimeoutMs, int maxConnections, int maxPending,
                           long acquireTimeoutMs, long idleTimeoutMs, int maxResponseBytes, int maxRequests) {

    public ClientConfig(long connectTimeoutMs, long readTimeoutMs, int maxConnections, int maxPending,
                        long acquireTimeoutMs, long idleTimeoutMs, int maxResponseBytes) {
        this(connectTimeoutMs, readTimeoutMs, maxConnections, maxPending, acquireTimeoutMs, idleTimeoutMs,
                maxResponseBytes, defaults().maxRequests);
    }

    /** From YAML/JSON: any field left out keeps its default. */
    @JsonCreator
    public static ClientConfig of(@JsonProperty("connectTimeoutMs") Long connectTimeoutMs,
                                  @JsonProperty("readTimeoutMs") Long readTimeoutMs,
                                  @JsonProperty("maxConnections") Integer maxConnections,
                                  @JsonProperty("maxPending") Integer maxPending,
                                  @JsonProperty("acquireTimeoutMs") Long acquireTimeoutMs,
                                  @JsonProperty("idleTimeoutMs") Long idleTimeoutMs,
                                  @JsonProperty("maxResponseBytes") Integer maxResponseBytes,
                                  @JsonProperty("maxRequests") Integer maxRequests) {
        ClientConfig d = defaults();
        return new ClientConfig(or(connectTimeoutMs, d.connectTimeoutMs), or(readTimeoutMs, d.readTimeoutMs),
                or(maxConnections, d.maxConnections), or(maxPending, d.maxPending),
                or(acquireTimeoutMs, d.acquireTimeoutMs), or(idleTimeoutMs, d.idleTimeoutMs),
                or(maxResponseBytes, d.maxResponseBytes), or(maxRequests, d.maxRequests));
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    public static ClientConfig defaults() {
        return new ClientConfig(1_000, 10_000, 256, 1_024, 2_000, 30_000, 16 * 1024 * 1024, 1_024);
    }

    public ClientConfig withReadTimeoutMs(long ms) {
        return new ClientConfig(connectTimeoutMs, ms, maxConnections, maxPending, acquireTimeoutMs, idleTimeoutMs,
                maxResponseBytes, maxRequests);
    }
}
