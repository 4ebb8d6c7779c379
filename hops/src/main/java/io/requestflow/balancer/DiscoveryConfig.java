package io.requestflow.balancer;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.requestflow.engine.net.HostPort;

/**
 * {@code balancer.discovery}: the target group follows what a DNS name resolves to, the way Envoy's strict
 * DNS clusters do; on Kubernetes the name is a headless Service, whose A records are its ready pods.
 *
 * @param name        the name to resolve, such as {@code gateway.requestflow.svc.cluster.local}
 * @param port        every address's traffic port
 * @param healthPort  where each address answers its readiness check (default {@code port + 1000}, the admin port)
 * @param healthPath  the readiness path (default {@code /readyz})
 * @param resolver    the DNS server to ask, {@code HOST:PORT}; null asks the system's (resolv.conf)
 * @param intervalMs  how often the name is resolved again
 * @param timeoutMs   bound on one resolution
 */
public record DiscoveryConfig(String name, int port, int healthPort, String healthPath, String resolver, long intervalMs,
                              long timeoutMs) {
    public static final long DEFAULT_INTERVAL_MS = 5_000;
    public static final long DEFAULT_TIMEOUT_MS = 2_000;

    public DiscoveryConfig {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("balancer.discovery.name is required");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("balancer.discovery.port must be 1..65535");
        if (healthPort < 1 || healthPort > 65535) {
            throw new IllegalArgumentException("balancer.discovery.healthPort must be 1..65535");
        }
        if (healthPath == null || !healthPath.startsWith("/")) {
            throw new IllegalArgumentException("balancer.discovery.healthPath must start with /");
        }
        if (resolver != null) HostPort.parse(resolver); // a readable error now rather than at the first lookup
        if (intervalMs < 100) throw new IllegalArgumentException("balancer.discovery.intervalMs must be at least 100");
        if (timeoutMs < 1) throw new IllegalArgumentException("balancer.discovery.timeoutMs must be positive");
    }

    @JsonCreator
    public static DiscoveryConfig of(@JsonProperty("name") String name, @JsonProperty("port") Integer port,
                                     @JsonProperty("healthPort") Integer healthPort,
                                     @JsonProperty("healthPath") String healthPath,
                                     @JsonProperty("resolver") String resolver,
                                     @JsonProperty("intervalMs") Long intervalMs,
                                     @JsonProperty("timeoutMs") Long timeoutMs) {
        if (port == null) throw new IllegalArgumentException("balancer.discovery.port is required");
        return new DiscoveryConfig(name, port, healthPort != null ? healthPort : port + 1000,
                healthPath != null ? healthPath : "/readyz", resolver,
                intervalMs != null ? intervalMs : DEFAULT_INTERVAL_MS, timeoutMs != null ? timeoutMs : DEFAULT_TIMEOUT_MS);
    }
}
