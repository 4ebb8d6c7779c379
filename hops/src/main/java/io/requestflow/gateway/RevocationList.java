package io.requestflow.gateway;

import java.util.concurrent.CompletableFuture;

/**
 * The deny list of revoked access tokens: the auth service writes {@code revoked:jti:ID} (expiring when
 * the token would) on logout or admin revocation; the gateway refuses tokens whose {@code jti} is on it.
 */
public final class RevocationList {
    public static final String PREFIX = "revoked:jti:";

    /** Whether a token is revoked; {@code UNKNOWN} when Redis cannot be asked. */
    public enum Status { ACTIVE, REVOKED, UNKNOWN }

    private final GatewayRedis redis;

    public RevocationList(GatewayRedis redis) {
        this.redis = redis;
    }

    public CompletableFuture<Status> status(String jti) {
        if (jti == null) return CompletableFuture.completedFuture(Status.ACTIVE);
        if (!redis.usable()) return CompletableFuture.completedFuture(Status.UNKNOWN);
        return redis.call(c -> c.exists(PREFIX + jti)).handle((n, error) -> {
            if (error != null) {
                redis.failed(error);
                return Status.UNKNOWN;
            }
            redis.succeeded();
            return n != null && n > 0 ? Status.REVOKED : Status.ACTIVE;
        });
    }
}
