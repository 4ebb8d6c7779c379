package io.requestflow.services.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Limits password guessing: failed logins per account and attempts per client address, each in a fixed
 * window kept in Redis (so all auth instances share the count). If Redis is unreachable the counts are
 * kept per instance instead: guessing stays limited, just per instance.
 */
public final class LoginLimiter {
    private static final Logger LOG = LoggerFactory.getLogger(LoginLimiter.class);
    static final int MAX_LOCAL = 100_000;

    /** Refused, and for how long. */
    public record Blocked(String reason, long retryAfterSeconds) {}

    private record Window(long count, long endsAtMillis) {}

    private final AuthRedis redis;
    private final AuthConfig.LoginLimits limits;
    private final Map<String, Window> local = new ConcurrentHashMap<>();

    public LoginLimiter(AuthRedis redis, AuthConfig.LoginLimits limits) {
        this.redis = redis;
        this.limits = limits;
    }

    /** Counts one attempt from {@code ip} (login or signup); blocked when the address has made too many. */
    public Blocked attempt(String action, String ip) {
        String key = "login:ip:" + action + ":" + ip;
        long n = increment(key);
        if (n > limits.maxPerIp()) return new Blocked("too many " + action + " attempts from your address", ttl(key));
        return null;
    }

    /** Blocked when the account has had too many failed logins in the window. */
    public Blocked accountBlocked(String username) {
        String key = "login:fail:" + username;
        long n = read(key);
        if (n >= limits.maxFailuresPerAccount()) {
            return new Blocked("too many failed logins for this account; try again later", ttl(key));
        }
        return null;
    }

    public void failed(String username) {
        increment("login:fail:" + username);
    }

    public void succeeded(String username) {
        String key = "login:fail:" + username;
        local.remove(key);
        try {
            redis.delete(key);
        } catch (RuntimeException e) {
            LOG.debug("redis unreachable; account counter for {} kept locally", username);
        }
    }

    private long increment(String key) {
        try {
            return redis.increment(key, limits.windowSeconds());
        } catch (RuntimeException e) {
            LOG.debug("redis unreachable; counting {} locally", key);
            if (local.size() >= MAX_LOCAL) local.clear();
            long now = System.currentTimeMillis();
            return local.compute(key, (k, w) -> w == null || w.endsAtMillis() <= now
                    ? new Window(1, now + limits.windowSeconds() * 1000) : new Window(w.count() + 1, w.endsAtMillis())).count();
        }
    }

    private long read(String key) {
        long now = System.currentTimeMillis();
        Window w = local.get(key);
        long localCount = w == null || w.endsAtMillis() <= now ? 0 : w.count();
        try {
            return Math.max(localCount, redis.get(key));
        } catch (RuntimeException e) {
            return localCount;
        }
    }

    private long ttl(String key) {
        Window w = local.get(key);
        if (w != null) return Math.max(1, (w.endsAtMillis() - System.currentTimeMillis() + 999) / 1000);
        try {
            return redis.ttlSeconds(key);
        } catch (RuntimeException e) {
            return limits.windowSeconds();
        }
    }
}
