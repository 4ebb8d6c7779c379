package io.requestflow.data;

import java.util.List;

/**
 * Read replicas (config section {@code data.replicas}). Boxed fields: a key missing from YAML keeps its default.
 *
 * @param count           embedded streaming replicas to run beside the embedded primary (default 1; 0 = none)
 * @param port            port of the first embedded replica, the next one +1, … (default 5434; 0 = any free port)
 * @param urls            external replicas' JDBC URLs; when set, nothing is embedded (default none)
 * @param maxLagBytes     a replica whose replay is further behind the primary than this is taken out of
 *                        rotation until it catches up (default 1 MiB)
 * @param checkIntervalMs how often each service measures replica lag and health (default 500)
 */
public record ReplicaConfig(Integer count, Integer port, List<String> urls, Long maxLagBytes, Integer checkIntervalMs) {

    public ReplicaConfig {
        count = count == null ? 1 : count;
        port = port == null ? 5434 : port;
        urls = urls == null ? List.of() : List.copyOf(urls);
        maxLagBytes = maxLagBytes == null ? 1_048_576L : maxLagBytes;
        checkIntervalMs = checkIntervalMs == null ? 500 : checkIntervalMs;
        if (count < 0 || count > 8) throw new IllegalArgumentException("data.replicas.count must be 0..8, got " + count);
        if (port < 0 || port > 65535) throw new IllegalArgumentException("data.replicas.port must be 0..65535, got " + port);
        if (maxLagBytes < 0) throw new IllegalArgumentException("data.replicas.maxLagBytes must be >= 0");
        if (checkIntervalMs < 50) throw new IllegalArgumentException("data.replicas.checkIntervalMs must be >= 50");
        for (String url : urls) {
            if (!url.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("data.replicas.urls must be jdbc:postgresql: URLs, got " + url);
            }
        }
    }

    public static ReplicaConfig defaults() {
        return new ReplicaConfig(null, null, null, null, null);
    }

    public static ReplicaConfig none() {
        return new ReplicaConfig(0, null, null, null, null);
    }

    public ReplicaConfig withCount(int newCount) {
        return new ReplicaConfig(newCount, port, urls, maxLagBytes, checkIntervalMs);
    }

    public ReplicaConfig withPort(int newPort) {
        return new ReplicaConfig(count, newPort, urls, maxLagBytes, checkIntervalMs);
    }
}
