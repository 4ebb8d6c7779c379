package io.requestflow.services.auth;

import java.util.Set;

/**
 * The auth service's settings.
 *
 * @param issuer             {@code iss} of the tokens it signs (the gateway checks it)
 * @param audience           {@code aud} of the tokens
 * @param tokenTtlSeconds    access token lifetime
 * @param refreshTtlSeconds  refresh token lifetime (a rotation issues a new one with a fresh lifetime)
 * @param argon2             cost of new password hashes
 * @param login              guessing limits
 * @param demoUser           a user created at start-up when absent (null = none)
 * @param demoPassword       that user's password
 * @param plans              usage plan names an API key may be created with (the gateway defines them)
 * @param hashing            where password hashes are computed
 */
public record AuthConfig(String issuer, String audience, long tokenTtlSeconds, long refreshTtlSeconds,
                         PasswordHasher.Cost argon2, LoginLimits login, String demoUser, String demoPassword,
                         Set<String> plans, Hashing hashing) {

    /**
     * @param threads   hashes computed at once (each takes a core while it runs)
     * @param queue     password checks waiting for a thread before the next is a 503
     * @param timeoutMs how long a request waits for its hash, queue included, before a 503
     * @param nice      the hashing threads' nice value (1..19, lower priority than requests), 0 = unchanged
     */
    public record Hashing(int threads, int queue, long timeoutMs, int nice) {
        public Hashing {
            if (threads < 1) throw new IllegalArgumentException("auth.hashThreads must be at least 1, got " + threads);
            if (queue < 1) throw new IllegalArgumentException("auth.hashQueue must be at least 1, got " + queue);
            if (timeoutMs < 1) throw new IllegalArgumentException("auth.hashTimeoutMs must be positive, got " + timeoutMs);
            if (nice < 0 || nice > 19) throw new IllegalArgumentException("auth.hashNice must be 0..19, got " + nice);
        }

        public static Hashing defaults() {
            return new Hashing(Math.max(1, Runtime.getRuntime().availableProcessors() / 2), 64, 5_000, 10);
        }
    }

    /**
     * @param maxFailuresPerAccount failed logins per account in a window before 429
     * @param maxPerIp              login (and, separately, signup) attempts per client address in a window before 429
     * @param windowSeconds         the window
     */
    public record LoginLimits(int maxFailuresPerAccount, int maxPerIp, long windowSeconds) {
        public static LoginLimits defaults() {
            return new LoginLimits(5, 100, 900);
        }
    }

    public static AuthConfig defaults() {
        return new AuthConfig("https://auth.requestflow.test", "requestflow-api", 900, 1_209_600,
                new PasswordHasher.Cost(19_456, 2, 1), LoginLimits.defaults(), "demo", "demo", Set.of(), Hashing.defaults());
    }
}
