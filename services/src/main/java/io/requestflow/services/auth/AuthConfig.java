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
 */
public record AuthConfig(String issuer, String audience, long tokenTtlSeconds, long refreshTtlSeconds,
                         PasswordHasher.Cost argon2, LoginLimits login, String demoUser, String demoPassword,
                         Set<String> plans) {

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
                new PasswordHasher.Cost(19_456, 2, 1), LoginLimits.defaults(), "demo", "demo", Set.of());
    }
}
