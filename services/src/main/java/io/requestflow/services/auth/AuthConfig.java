package io.requestflow.services.auth;

/**
 * The auth service's settings.
 *
 * @param issuer             {@code iss} of the tokens it signs (the gateway checks it)
 * @param audience           {@code aud} of the tokens
 * @param tokenTtlSeconds    access token lifetime
 * @param hashIterations     PBKDF2-HMAC-SHA512 iterations for new password hashes
 * @param demoUser           a user created at start-up when absent (null = none)
 * @param demoPassword       that user's password
 */
public record AuthConfig(String issuer, String audience, long tokenTtlSeconds, int hashIterations,
                         String demoUser, String demoPassword) {

    public static AuthConfig defaults() {
        return new AuthConfig("https://auth.requestflow.test", "requestflow-api", 900, 210_000, "demo", "demo");
    }
}
