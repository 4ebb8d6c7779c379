package io.requestflow.engine.server;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonCreator;

/**
 * Connection-level limits of an HTTP listener.
 *
 * @param maxRequestBytes   hard cap on a request body the listener will buffer (413 above it)
 * @param maxHeaderBytes    cap on the header block (431-style 400 above it)
 * @param maxInitialLineLength cap on the request line (414-style 400 above it)
 * @param idleTimeoutMs     a keep-alive connection with no traffic for this long is closed
 * @param drainTimeoutMs    on shutdown, how long in-flight requests may take to finish
 * @param maxPipelined      HTTP/1.1 requests one connection may have waiting behind the one being handled
 *                          (answers go out in order); a client sending more is cut off
 */
public record ServerConfig(int maxRequestBytes, int maxHeaderBytes, int maxInitialLineLength,
                           long idleTimeoutMs, long drainTimeoutMs, int maxPipelined) {

    public ServerConfig {
        if (maxPipelined < 0) throw new IllegalArgumentException("server.maxPipelined must be >= 0");
    }

    /** From YAML/JSON: any field left out keeps its default. */
    @JsonCreator
    public static ServerConfig of(@JsonProperty("maxRequestBytes") Integer maxRequestBytes,
                                  @JsonProperty("maxHeaderBytes") Integer maxHeaderBytes,
                                  @JsonProperty("maxInitialLineLength") Integer maxInitialLineLength,
                                  @JsonProperty("idleTimeoutMs") Long idleTimeoutMs,
                                  @JsonProperty("drainTimeoutMs") Long drainTimeoutMs,
                                  @JsonProperty("maxPipelined") Integer maxPipelined) {
        ServerConfig d = defaults();
        return new ServerConfig(maxRequestBytes != null ? maxRequestBytes : d.maxRequestBytes,
                maxHeaderBytes != null ? maxHeaderBytes : d.maxHeaderBytes,
                maxInitialLineLength != null ? maxInitialLineLength : d.maxInitialLineLength,
                idleTimeoutMs != null ? idleTimeoutMs : d.idleTimeoutMs,
                drainTimeoutMs != null ? drainTimeoutMs : d.drainTimeoutMs,
                maxPipelined != null ? maxPipelined : d.maxPipelined);
    }

    public static ServerConfig defaults() {
        return new ServerConfig(8 * 1024 * 1024, 16 * 1024, 8 * 1024, 60_000, 5_000, 64);
    }
}
