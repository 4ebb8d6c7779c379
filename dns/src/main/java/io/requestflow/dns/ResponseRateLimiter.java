package io.requestflow.dns;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.net.InetAddress;
import java.time.Duration;

/**
 * Response rate limiting (the idea of BIND's RRL): per client subnet and identical response (same name, type and
 * rcode), at most {@code responsesPerSecond} UDP answers per second. Beyond that, every {@code slip}-th query gets a
 * bare truncated reply (a real client retries over TCP, which is never limited) and the rest get nothing, so a
 * spoofed flood cannot be reflected at a victim with amplification.
 */
final class ResponseRateLimiter {

    enum Verdict { SEND, SLIP, DROP }

    private final RateLimitConfig config;
    private final Cache<Key, Window> windows;

    ResponseRateLimiter(RateLimitConfig config) {
        this.config = config;
        this.windows = Caffeine.newBuilder().maximumSize(config.maxTracked())
                .expireAfterAccess(Duration.ofSeconds(10)).build();
    }

    Verdict check(InetAddress client, DnsResponder.Reply reply) {
        return check(client, reply.questionHash(), reply.rcode());
    }

    /** The verdict on one response: {@code question} identifies its (name, type), case-insensitively. */
    Verdict check(InetAddress client, int question, int rcode) {
        if (!config.enabled()) {
            return Verdict.SEND;
        }
        Key key = key(client, question, rcode);
        Window window = windows.get(key, k -> new Window());
        return window.admit(System.nanoTime() / 1_000_000_000L, config.responsesPerSecond(), config.slip());
    }

    /** The client's subnet as two longs (IPv4 in the low one), so a key is one small object per query. */
    private Key key(InetAddress client, int question, int rcode) {
        byte[] bytes = client.getAddress();
        int prefix = bytes.length == 4 ? config.ipv4PrefixLength() : config.ipv6PrefixLength();
        long high = 0;
        long low = 0;
        for (int i = 0; i < bytes.length; i++) {
            int keep = Math.clamp(prefix - 8L * i, 0, 8);
            long b = bytes[i] & (0xFF00 >>> keep) & 0xFF;
            if (bytes.length == 16 && i < 8) {
                high = (high << 8) | b;
            } else {
                low = (low << 8) | b;
            }
        }
        return new Key(bytes.length, high, low, question, rcode);
    }

    private record Key(int family, long high, long low, int question, int rcode) {}

    /** A one-second counting window. */
    private static final class Window {
        private long second = -1;
        private int sent;
        private int limited;

        synchronized Verdict admit(long now, int perSecond, int slip) {
            if (now != second) {
                second = now;
                sent = 0;
            }
            if (sent < perSecond) {
                sent++;
                return Verdict.SEND;
            }
            limited++;
            return slip > 0 && limited % slip == 0 ? Verdict.SLIP : Verdict.DROP;
        }
    }
}
