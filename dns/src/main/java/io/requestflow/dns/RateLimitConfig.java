package io.requestflow.dns;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * Response rate limiting over UDP (like BIND's RRL): identical responses (same name, type and rcode) to one
 * client subnet are limited, so spoofed queries cannot turn this server into an amplifier. TCP is never limited:
 * a spoofer cannot complete a handshake.
 *
 * @param responsesPerSecond identical responses per subnet per second; 0 turns the limit off
 * @param ipv4PrefixLength   IPv4 clients are grouped by this prefix
 * @param ipv6PrefixLength   IPv6 clients are grouped by this prefix
 * @param slip               every n-th limited query gets a truncated (TC) reply so a real client can retry over
 *                           TCP; the rest are dropped; 0 drops all
 * @param maxTracked         (subnet, response) pairs tracked at once; the least recent are forgotten
 */
public record RateLimitConfig(int responsesPerSecond, int ipv4PrefixLength, int ipv6PrefixLength, int slip,
                              int maxTracked) {

    public static final int DEFAULT_RESPONSES_PER_SECOND = 100;
    public static final int DEFAULT_IPV4_PREFIX = 24;
    public static final int DEFAULT_IPV6_PREFIX = 56;
    public static final int DEFAULT_SLIP = 2;
    public static final int DEFAULT_MAX_TRACKED = 100_000;

    public RateLimitConfig {
        check(responsesPerSecond >= 0, "dns.rateLimit.responsesPerSecond must be >= 0, got " + responsesPerSecond);
        check(ipv4PrefixLength >= 1 && ipv4PrefixLength <= 32, "dns.rateLimit.ipv4PrefixLength must be 1..32");
        check(ipv6PrefixLength >= 1 && ipv6PrefixLength <= 128, "dns.rateLimit.ipv6PrefixLength must be 1..128");
        check(slip >= 0 && slip <= 10, "dns.rateLimit.slip must be 0..10, got " + slip);
        check(maxTracked >= 100, "dns.rateLimit.maxTracked must be >= 100, got " + maxTracked);
    }

    public static RateLimitConfig defaults() {
        return fromJson(null, null, null, null, null);
    }

    public boolean enabled() {
        return responsesPerSecond > 0;
    }

    @JsonCreator
    static RateLimitConfig fromJson(@JsonProperty("responsesPerSecond") Integer responsesPerSecond,
                                    @JsonProperty("ipv4PrefixLength") Integer ipv4PrefixLength,
                                    @JsonProperty("ipv6PrefixLength") Integer ipv6PrefixLength,
                                    @JsonProperty("slip") Integer slip,
                                    @JsonProperty("maxTracked") Integer maxTracked) {
        return new RateLimitConfig(Objects.requireNonNullElse(responsesPerSecond, DEFAULT_RESPONSES_PER_SECOND),
                Objects.requireNonNullElse(ipv4PrefixLength, DEFAULT_IPV4_PREFIX),
                Objects.requireNonNullElse(ipv6PrefixLength, DEFAULT_IPV6_PREFIX),
                Objects.requireNonNullElse(slip, DEFAULT_SLIP),
                Objects.requireNonNullElse(maxTracked, DEFAULT_MAX_TRACKED));
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
