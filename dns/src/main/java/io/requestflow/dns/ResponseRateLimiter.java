package io.requestflow.dns;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;

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
        if (!config.enabled()) {
            return Verdict.SEND;
        }
        Key key = new Key(subnet(client), reply.questionHash(), reply.rcode());
        Window window = windows.get(key, k -> new Window());
        return window.admit(System.nanoTime() / 1_000_000_000L, config.responsesPerSecond(), config.slip());
    }

    private byte[] subnet(InetAddress client) {
        byte[] bytes = client.getAddress();
        int prefix = bytes.length == 4 ? config.ipv4PrefixLength() : config.ipv6PrefixLength();
        for (int bit = prefix; bit < bytes.length * 8; bit++) {
            bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return bytes;
    }

    private record Key(byte[] subnet, int question, int rcode) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.question == question && k.rcode == rcode
                    && Arrays.equals(k.subnet, subnet);
        }

        @Override
        public int hashCode() {
            return (Arrays.hashCode(subnet) * 31 + question) * 31 + rcode;
        }
    }

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
