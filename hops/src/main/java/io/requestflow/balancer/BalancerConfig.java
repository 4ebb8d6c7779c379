package io.requestflow.balancer;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.requestflow.engine.net.HostPort;

import java.util.List;

/**
 * The balancer hop's policy settings.
 *
 * @param targets     the instances of the target group
 * @param healthCheck how instances are probed
 */
public record BalancerConfig(List<Target> targets, HealthCheck healthCheck) {

    /**
     * One instance: its traffic address and the URL of its readiness check. Without a health URL the
     * admin-port convention applies: same host, traffic port + 1000, path {@code /readyz}.
     */
    public record Target(String name, String address, String healthUrl) {
        public HostPort hostPort() {
            return HostPort.parse(address);
        }

        public String healthUrlOrDefault() {
            if (healthUrl != null && !healthUrl.isBlank()) return healthUrl;
            HostPort hp = hostPort();
            return "http://" + hp.withPort(hp.port() + 1000) + "/readyz";
        }
    }

    /**
     * Active health checking (seed: an HTTP 200 within 2 s).
     *
     * @param intervalMs         time between checks of one instance (jittered by up to 10%)
     * @param timeoutMs          a check not answered within this fails
     * @param healthyThreshold   consecutive passes that return an unhealthy instance to service
     * @param unhealthyThreshold consecutive failures that take a healthy instance out
     */
    public record HealthCheck(long intervalMs, long timeoutMs, int healthyThreshold, int unhealthyThreshold) {
        /** From YAML/JSON: any field left out keeps its default. */
        @JsonCreator
        public static HealthCheck of(@JsonProperty("intervalMs") Long intervalMs,
                                     @JsonProperty("timeoutMs") Long timeoutMs,
                                     @JsonProperty("healthyThreshold") Integer healthyThreshold,
                                     @JsonProperty("unhealthyThreshold") Integer unhealthyThreshold) {
            HealthCheck d = defaults();
            return new HealthCheck(intervalMs != null ? intervalMs : d.intervalMs,
                    timeoutMs != null ? timeoutMs : d.timeoutMs,
                    healthyThreshold != null ? healthyThreshold : d.healthyThreshold,
                    unhealthyThreshold != null ? unhealthyThreshold : d.unhealthyThreshold);
        }

        public static HealthCheck defaults() {
            return new HealthCheck(5_000, 2_000, 2, 2);
        }
    }
}
