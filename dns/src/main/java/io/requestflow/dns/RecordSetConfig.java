package io.requestflow.dns;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One record set of the zone with its routing policy, like a Route 53 record set: a name, a type, and the
 * answers the policy chooses among.
 *
 * @param name       owner name, relative to the zone ({@code @} for the apex) or absolute
 * @param type       A, AAAA, CNAME, NS, TXT, SRV or CAA
 * @param policy     simple, weighted, latency, geolocation, failover or multivalue
 * @param ttlSeconds TTL of the answers; null takes the zone's {@code ttlSeconds}
 * @param answers    the candidates; every policy but simple chooses among them per query
 */
public record RecordSetConfig(String name, String type, String policy, Integer ttlSeconds, List<AnswerConfig> answers) {

    public static final List<String> POLICIES =
            List.of("simple", "weighted", "latency", "geolocation", "failover", "multivalue");
    public static final List<String> TYPES = List.of("A", "AAAA", "CNAME", "NS", "TXT", "SRV", "CAA");

    public RecordSetConfig {
        String where = "dns.recordSets[" + name + "]";
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("dns.recordSets: a record set needs a name");
        }
        type = type == null ? "A" : type.strip().toUpperCase(Locale.ROOT);
        policy = policy == null ? "simple" : policy.strip().toLowerCase(Locale.ROOT);
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException(where + ".type: '" + type + "' is not one of " + TYPES);
        }
        if (!POLICIES.contains(policy)) {
            throw new IllegalArgumentException(where + ".policy: '" + policy + "' is not one of " + POLICIES);
        }
        if (ttlSeconds != null && ttlSeconds < 0) {
            throw new IllegalArgumentException(where + ".ttlSeconds must be >= 0, got " + ttlSeconds);
        }
        if (answers == null || answers.isEmpty() || answers.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException(where + ".answers: needs at least one answer");
        }
        answers = List.copyOf(answers);
    }

    @JsonCreator
    static RecordSetConfig fromJson(@JsonProperty("name") String name, @JsonProperty("type") String type,
                                    @JsonProperty("policy") String policy,
                                    @JsonProperty("ttlSeconds") Integer ttlSeconds,
                                    @JsonProperty("answers") List<AnswerConfig> answers) {
        return new RecordSetConfig(name, type, policy, ttlSeconds, answers);
    }

    /**
     * One candidate answer. Which fields matter depends on the policy.
     *
     * @param id          a label for logs and metrics; defaults to the first value
     * @param values      record data in zone-file form (an address, a name, {@code "10 5 8080 shop"}, ...)
     * @param weight      weighted: 0..255, the share of answers relative to the others (0 = only if all are 0)
     * @param region      latency: the region this answer serves from
     * @param location    geolocation: {@code region:eu-west}, {@code country:DE}, {@code continent:EU} or
     *                    {@code *} (the default)
     * @param failover    failover: {@code primary} or {@code secondary}
     * @param healthCheck {@code http://host:port/path} or {@code tcp://host:port}; null = always healthy
     * @param fastCheck   check at {@code health.fastIntervalMs} instead of {@code health.intervalMs}
     */
    public record AnswerConfig(String id, List<String> values, Integer weight, String region, String location,
                               String failover, String healthCheck, Boolean fastCheck) {

        public AnswerConfig {
            if (values == null || values.isEmpty() || values.stream().anyMatch(v -> v == null || v.isBlank())) {
                throw new IllegalArgumentException("dns.recordSets answer " + id + ": needs a list of values");
            }
            values = List.copyOf(values);
            id = id == null || id.isBlank() ? values.get(0) : id.strip();
            weight = weight == null ? 1 : weight;
            if (weight < 0 || weight > 255) {
                throw new IllegalArgumentException("dns.recordSets answer " + id + ".weight must be 0..255, got "
                        + weight);
            }
            if (failover != null) {
                failover = failover.strip().toLowerCase(Locale.ROOT);
                if (!failover.equals("primary") && !failover.equals("secondary")) {
                    throw new IllegalArgumentException("dns.recordSets answer " + id
                            + ".failover must be primary or secondary, got '" + failover + "'");
                }
            }
            fastCheck = fastCheck != null && fastCheck;
        }

        @JsonCreator
        static AnswerConfig fromJson(@JsonProperty("id") String id, @JsonProperty("values") List<String> values,
                                     @JsonProperty("weight") Integer weight, @JsonProperty("region") String region,
                                     @JsonProperty("location") String location,
                                     @JsonProperty("failover") String failover,
                                     @JsonProperty("healthCheck") String healthCheck,
                                     @JsonProperty("fastCheck") Boolean fastCheck) {
            return new AnswerConfig(id, values, weight, region, location, failover, healthCheck, fastCheck);
        }

        /** A plain answer: values only, no policy fields, no health check. */
        public static AnswerConfig of(String... values) {
            return new AnswerConfig(null, List.of(values), null, null, null, null, null, null);
        }
    }
}
