package io.requestflow.balancer;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.requestflow.engine.net.HostPort;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The balancer hop's policy settings.
 *
 * @param targets        the instances the target group starts with (more can register at run time)
 * @param healthCheck    how instances are probed
 * @param policy         picker, zones, outlier ejection, retries, slow start, draining
 */
public record BalancerConfig(List<Target> targets, HealthCheck healthCheck, Policy policy) {

    public BalancerConfig(List<Target> targets, HealthCheck healthCheck) {
        this(targets, healthCheck, Policy.defaults());
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    /**
     * One instance: its traffic address and the URL of its readiness check. Without a health URL the
     * admin-port convention applies: same host, traffic port + 1000, path {@code /readyz}.
     *
     * @param weight share of traffic relative to the others (weighted pickers), at least 1
     * @param zone   the instance's zone; null means the balancer's own zone
     */
    public record Target(String name, String address, String healthUrl, int weight, String zone) {
        public Target {
            if (weight < 1) throw new IllegalArgumentException("target weight must be at least 1, got " + weight);
        }

        public Target(String name, String address, String healthUrl) {
            this(name, address, healthUrl, 1, null);
        }

        public HostPort hostPort() {
            return HostPort.parse(address);
        }

        public String healthUrlOrDefault() {
            if (healthUrl != null && !healthUrl.isBlank()) return healthUrl;
            HostPort hp = hostPort();
            return "http://" + hp.withPort(hp.port() + 1000) + "/readyz";
        }

        public String nameOrAddress() {
            return name == null || name.isBlank() ? address : name;
        }
    }

    /**
     * Active health checking (seed: an HTTP 200 within 2 s).
     *
     * @param intervalMs         time between checks of one instance
     * @param timeoutMs          a check not answered within this fails
     * @param healthyThreshold   consecutive passes that return an unhealthy instance to service
     * @param unhealthyThreshold consecutive failures that take a healthy instance out
     * @param jitterPercent      each interval varies by up to this percentage, so checks do not align
     */
    public record HealthCheck(long intervalMs, long timeoutMs, int healthyThreshold, int unhealthyThreshold,
                              int jitterPercent) {
        public HealthCheck(long intervalMs, long timeoutMs, int healthyThreshold, int unhealthyThreshold) {
            this(intervalMs, timeoutMs, healthyThreshold, unhealthyThreshold, 10);
        }

        /** From YAML/JSON: any field left out keeps its default. */
        @JsonCreator
        public static HealthCheck of(@JsonProperty("intervalMs") Long intervalMs,
                                     @JsonProperty("timeoutMs") Long timeoutMs,
                                     @JsonProperty("healthyThreshold") Integer healthyThreshold,
                                     @JsonProperty("unhealthyThreshold") Integer unhealthyThreshold,
                                     @JsonProperty("jitterPercent") Integer jitterPercent) {
            HealthCheck d = defaults();
            return new HealthCheck(or(intervalMs, d.intervalMs), or(timeoutMs, d.timeoutMs),
                    or(healthyThreshold, d.healthyThreshold), or(unhealthyThreshold, d.unhealthyThreshold),
                    or(jitterPercent, d.jitterPercent));
        }

        public static HealthCheck defaults() {
            return new HealthCheck(5_000, 2_000, 2, 2, 10);
        }
    }

    /**
     * Everything the balancer decides per request.
     *
     * @param picker         round-robin, weighted-round-robin, least-request, least-request-ewma, ring-hash, random
     * @param hashKey        what ring-hash hashes: {@code header:NAME} or {@code cookie:NAME}
     * @param zone           the balancer's own zone
     * @param crossZone      false keeps traffic in the balancer's zone while it has an available instance there
     * @param panicPercent   below this share of available instances, spread over every instance that was
     *                       ever healthy (Envoy's panic threshold); 0 turns panic mode off
     * @param slowStartMs    a newly healthy instance ramps its share up linearly over this window; 0 = off
     * @param drainTimeoutMs a deregistered instance keeps its in-flight requests this long at most
     * @param outlier        passive ejection on consecutive failures
     * @param retry          which failures are retried, how often and how fast
     */
    public record Policy(String picker, String hashKey, String zone, boolean crossZone, int panicPercent,
                         long slowStartMs, long drainTimeoutMs, Outlier outlier, Retry retry) {
        public Policy {
            Pickers.validate(picker);
            if (hashKey == null || !(hashKey.startsWith("header:") || hashKey.startsWith("cookie:"))
                    || hashKey.indexOf(':') == hashKey.length() - 1) {
                throw new IllegalArgumentException("balancer hashKey must be header:NAME or cookie:NAME, got '"
                        + hashKey + "'");
            }
            picker = picker.toLowerCase(Locale.ROOT);
            if (panicPercent < 0 || panicPercent > 100) {
                throw new IllegalArgumentException("balancer panicPercent must be 0-100, got " + panicPercent);
            }
            if (slowStartMs < 0 || drainTimeoutMs < 0) {
                throw new IllegalArgumentException("balancer slowStartMs and drainTimeoutMs must not be negative");
            }
            Objects.requireNonNull(outlier, "outlier");
            Objects.requireNonNull(retry, "retry");
        }

        @JsonCreator
        public static Policy of(@JsonProperty("picker") String picker, @JsonProperty("hashKey") String hashKey,
                                @JsonProperty("zone") String zone, @JsonProperty("crossZone") Boolean crossZone,
                                @JsonProperty("panicPercent") Integer panicPercent,
                                @JsonProperty("slowStartMs") Long slowStartMs,
                                @JsonProperty("drainTimeoutMs") Long drainTimeoutMs,
                                @JsonProperty("outlier") Outlier outlier, @JsonProperty("retry") Retry retry) {
            Policy d = defaults();
            return new Policy(or(picker, d.picker), or(hashKey, d.hashKey), or(zone, d.zone),
                    or(crossZone, d.crossZone), or(panicPercent, d.panicPercent), or(slowStartMs, d.slowStartMs),
                    or(drainTimeoutMs, d.drainTimeoutMs), or(outlier, d.outlier), or(retry, d.retry));
        }

        public static Policy defaults() {
            return new Policy("round-robin", "cookie:session", "local", true, 50, 10_000, 300_000,
                    Outlier.defaults(), Retry.defaults());
        }
    }

    /**
     * Passive outlier ejection (as Envoy's outlier detection).
     *
     * @param consecutive5xx             this many 5xx answers in a row eject the instance
     * @param consecutiveGatewayFailures this many refused/reset/timed-out calls or 502/503/504 in a row eject it
     * @param baseEjectionMs             the first ejection lasts this long; the n-th lasts n times as long
     * @param maxEjectionMs              no ejection lasts longer
     * @param maxEjectionPercent         at most this share of instances is ejected at once (at least one)
     */
    public record Outlier(int consecutive5xx, int consecutiveGatewayFailures, long baseEjectionMs,
                          long maxEjectionMs, int maxEjectionPercent) {
        public Outlier {
            if (consecutive5xx < 1 || consecutiveGatewayFailures < 1 || baseEjectionMs < 0
                    || maxEjectionMs < baseEjectionMs || maxEjectionPercent < 0 || maxEjectionPercent > 100) {
                throw new IllegalArgumentException("balancer outlier: thresholds must be at least 1, "
                        + "0 <= baseEjectionMs <= maxEjectionMs, maxEjectionPercent 0-100");
            }
        }

        @JsonCreator
        public static Outlier of(@JsonProperty("consecutive5xx") Integer consecutive5xx,
                                 @JsonProperty("consecutiveGatewayFailures") Integer consecutiveGatewayFailures,
                                 @JsonProperty("baseEjectionMs") Long baseEjectionMs,
                                 @JsonProperty("maxEjectionMs") Long maxEjectionMs,
                                 @JsonProperty("maxEjectionPercent") Integer maxEjectionPercent) {
            Outlier d = defaults();
            return new Outlier(or(consecutive5xx, d.consecutive5xx),
                    or(consecutiveGatewayFailures, d.consecutiveGatewayFailures), or(baseEjectionMs, d.baseEjectionMs),
                    or(maxEjectionMs, d.maxEjectionMs), or(maxEjectionPercent, d.maxEjectionPercent));
        }

        public static Outlier defaults() {
            return new Outlier(5, 5, 30_000, 300_000, 50);
        }
    }

    /**
     * Retries (as Envoy's retry policy plus a Finagle-style budget).
     *
     * @param maxRetries          extra attempts per request, each on another instance when there is one
     * @param perTryTimeoutMs     each attempt must be answered within this
     * @param backoffBaseMs       the first retry waits a random time up to this; each later one up to twice as long
     * @param backoffMaxMs        no backoff is longer
     * @param budgetPercent       retries may add at most this percentage to the requests
     * @param minRetriesPerSecond retries always allowed at low traffic, whatever the percentage says
     * @param retryableHeader     a non-idempotent request carrying this header with value {@code true} may be
     *                            retried after it was sent (the client promises it is safe)
     */
    public record Retry(int maxRetries, long perTryTimeoutMs, long backoffBaseMs, long backoffMaxMs,
                        int budgetPercent, int minRetriesPerSecond, String retryableHeader) {
        public Retry {
            if (maxRetries < 0 || perTryTimeoutMs < 1 || backoffBaseMs < 0 || backoffMaxMs < 0 || budgetPercent < 0
                    || minRetriesPerSecond < 0 || retryableHeader == null || retryableHeader.isBlank()) {
                throw new IllegalArgumentException("balancer retry: counts and times must not be negative, "
                        + "perTryTimeoutMs at least 1, retryableHeader set");
            }
        }

        @JsonCreator
        public static Retry of(@JsonProperty("maxRetries") Integer maxRetries,
                               @JsonProperty("perTryTimeoutMs") Long perTryTimeoutMs,
                               @JsonProperty("backoffBaseMs") Long backoffBaseMs,
                               @JsonProperty("backoffMaxMs") Long backoffMaxMs,
                               @JsonProperty("budgetPercent") Integer budgetPercent,
                               @JsonProperty("minRetriesPerSecond") Integer minRetriesPerSecond,
                               @JsonProperty("retryableHeader") String retryableHeader) {
            Retry d = defaults();
            return new Retry(or(maxRetries, d.maxRetries), or(perTryTimeoutMs, d.perTryTimeoutMs),
                    or(backoffBaseMs, d.backoffBaseMs), or(backoffMaxMs, d.backoffMaxMs),
                    or(budgetPercent, d.budgetPercent), or(minRetriesPerSecond, d.minRetriesPerSecond),
                    or(retryableHeader, d.retryableHeader));
        }

        public static Retry defaults() {
            return new Retry(2, 10_000, 25, 250, 20, 3, "x-retryable");
        }
    }
}
