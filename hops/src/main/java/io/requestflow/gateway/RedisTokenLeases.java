package io.requestflow.gateway;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Token buckets in Redis that hand out tokens in leases: one atomic script call takes up to {@code want}
 * tokens for this instance (never more than the bucket holds), gives back what the instance's previous
 * lease left unused, and records the new lease until it expires.
 *
 * <p>Why leases stay exact: while a lease is valid, the bucket may refill only up to
 * {@code burst − (tokens leased and not yet expired)}. The tokens in Redis plus the tokens instances
 * still hold therefore never exceed {@code burst}, so over any interval of {@code t} seconds all
 * instances together admit at most {@code burst + rate × t}, as one shared bucket would. What leasing
 * costs is under-admission only: tokens an idle instance holds until its lease expires.
 * Time is Redis's own clock ({@code TIME}), the same for every instance.
 */
final class RedisTokenLeases {
    /** What one call got: tokens granted, tokens left in Redis after it, and how long until one more is due. */
    record Grant(long granted, long remaining, long waitNanos) {}

    // KEYS[1]: the bucket, a hash: t = tokens, ts = when t was computed (µs), l:<instance> = "amount:expiry µs"
    // ARGV: rate per second, burst, want, give back, lease µs, instance id
    static final String SCRIPT = """
            if redis.replicate_commands then pcall(redis.replicate_commands) end
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
            local rate = tonumber(ARGV[1]) / 1000000
            local burst = tonumber(ARGV[2])
            local want = tonumber(ARGV[3])
            local back = tonumber(ARGV[4])
            local leaseUs = tonumber(ARGV[5])
            local mine = 'l:' .. ARGV[6]
            local tokens, ts = burst, now
            local leases = {}
            local h = redis.call('HGETALL', KEYS[1])
            for i = 1, #h, 2 do
              local f, v = h[i], h[i + 1]
              if f == 't' then tokens = tonumber(v)
              elseif f == 'ts' then ts = math.min(tonumber(v), now)
              else
                local sep = string.find(v, ':', 1, true)
                leases[#leases + 1] = {f, tonumber(string.sub(v, 1, sep - 1)), tonumber(string.sub(v, sep + 1))}
              end
            end
            -- the cap is burst minus the leases still valid; refill piecewise as they expire
            table.sort(leases, function(a, b) return a[3] < b[3] end)
            local cap = burst
            for _, l in ipairs(leases) do cap = cap - l[2] end
            local at = ts
            for _, l in ipairs(leases) do
              if l[3] <= now then
                if l[3] > at then
                  tokens = math.min(math.max(cap, 0), tokens + rate * (l[3] - at))
                  at = l[3]
                end
                cap = cap + l[2]
                redis.call('HDEL', KEYS[1], l[1])
              end
            end
            tokens = math.min(math.max(cap, 0), tokens + rate * (now - at))
            -- this instance's previous lease ends now: what it did not use comes back
            local old = redis.call('HGET', KEYS[1], mine)
            if old then
              cap = cap + tonumber(string.sub(old, 1, string.find(old, ':', 1, true) - 1))
              redis.call('HDEL', KEYS[1], mine)
            end
            tokens = math.min(math.max(cap, 0), tokens + back)
            local granted = math.max(0, math.min(want, math.floor(tokens)))
            tokens = tokens - granted
            cap = cap - granted
            if granted > 0 then
              redis.call('HSET', KEYS[1], mine, string.format('%d:%.0f', granted, now + leaseUs))
            end
            redis.call('HSET', KEYS[1], 't', string.format('%.6f', tokens), 'ts', string.format('%.0f', now))
            local wait = 0
            if tokens < 1 then wait = (1 - tokens) / rate end
            if cap < 1 then
              local firstExpiry = now + leaseUs
              for _, l in ipairs(leases) do
                if l[1] ~= mine and l[3] > now and l[3] < firstExpiry then firstExpiry = l[3] end
              end
              wait = math.max(wait, firstExpiry - now)
            end
            redis.call('PEXPIRE', KEYS[1], math.ceil(((burst - tokens) / rate + leaseUs) / 1000) + 1000)
            return {granted, math.floor(tokens), math.ceil(wait)}
            """;

    private final GatewayRedis redis;
    private final String instance = UUID.randomUUID().toString();
    private final String sha = sha1(SCRIPT);

    RedisTokenLeases(GatewayRedis redis) {
        this.redis = redis;
    }

    /**
     * Takes up to {@code want} tokens of bucket {@code key} for {@code leaseNanos} for {@code holder} (one
     * local holder of the bucket's leases on this instance), giving back {@code giveBack} of its last lease.
     */
    CompletableFuture<Grant> take(String key, long rate, long burst, long want, long giveBack, long leaseNanos, String holder) {
        byte[][] args = {bytes(rate), bytes(burst), bytes(want), bytes(giveBack), bytes(leaseNanos / 1000),
                (instance + ":" + holder).getBytes(StandardCharsets.UTF_8)};
        String[] keys = {key};
        CompletableFuture<List<Object>> reply = redis.<List<Object>>call(c -> c.evalsha(sha, ScriptOutputType.MULTI, keys, args))
                .exceptionallyCompose(e -> unwrap(e) instanceof RedisNoScriptException
                        ? redis.<List<Object>>call(c -> c.eval(SCRIPT, ScriptOutputType.MULTI, keys, args))
                        : CompletableFuture.failedFuture(e));
        return reply.thenApply(r -> new Grant((Long) r.get(0), (Long) r.get(1), (Long) r.get(2) * 1000));
    }

    /** The script's digest: EVALSHA sends only this; on NOSCRIPT (a new or restarted Redis) EVAL sends the text once. */
    private static String sha1(String script) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1")
                    .digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    private static byte[] bytes(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }
}
