package io.requestflow.dns;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ready-made responses for the common query: one question, no records but at most a bare OPT, asking about a
 * name whose answer does not depend on who asks. Such a response differs between two queries only in the id,
 * the RD/CD flags and the spelling of the question name (same length, since names compare case-insensitively),
 * so a hit copies the stored bytes and patches those three; everything else (compression pointers included)
 * stays valid. Misses, and anything unusual, go the full way through dnsjava, which fills the cache.
 *
 * <p>Holds at most {@link #MAX_ENTRIES}; when full it starts over, so a flood of distinct questions costs
 * speed, never memory. Only NOERROR answers with records are kept: random names (NXDOMAIN) never enter.
 */
final class AnswerCache {

    /** Bound on stored responses (a zone's names × the types people ask for, with room to spare). */
    static final int MAX_ENTRIES = 10_000;

    private static final int HEADER = 12;
    private static final int OPT_FIXED = 11; // root name, type, class, ttl, rdlength

    private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();
    private final DnsConfig config;

    AnswerCache(DnsConfig config) {
        this.config = config;
    }

    /** A cache lookup key, or null when the query is not of the simple kind this cache serves. */
    Key key(byte[] q, DnsTransport transport) {
        if (q.length < HEADER + 5 || (q[2] & 0x78) != 0 // opcode QUERY only
                || q[4] != 0 || q[5] != 1 || q[6] != 0 || q[7] != 0 || q[8] != 0 || q[9] != 0 || q[10] != 0) {
            return null;
        }
        int additional = q[11] & 0xFF;
        int pos = HEADER;
        while (true) {
            if (pos >= q.length) {
                return null;
            }
            int len = q[pos] & 0xFF;
            if (len == 0) {
                break;
            }
            if (len > 63) {
                return null; // compression pointer or an unknown label type: not a plain name
            }
            pos += len + 1;
        }
        int questionEnd = pos + 1 + 4;
        if (questionEnd - HEADER > 259 || questionEnd > q.length) {
            return null;
        }
        int limit;
        boolean edns;
        if (additional == 0) {
            if (questionEnd != q.length) {
                return null;
            }
            edns = false;
            limit = transport == DnsTransport.TCP ? config.maxTcpMessageSize() : config.udpPayloadSize();
        } else if (additional == 1) {
            int o = questionEnd;
            // a bare OPT: root owner, type 41, version 0, no extended rcode, no options
            if (q.length != o + OPT_FIXED || q[o] != 0 || q[o + 1] != 0 || q[o + 2] != 41
                    || q[o + 5] != 0 || q[o + 6] != 0 || q[o + 9] != 0 || q[o + 10] != 0) {
                return null;
            }
            edns = true;
            int payload = ((q[o + 3] & 0xFF) << 8) | (q[o + 4] & 0xFF);
            limit = transport == DnsTransport.TCP ? config.maxTcpMessageSize()
                    : Math.min(Math.max(payload, DnsConfig.MIN_MESSAGE_SIZE), config.ednsMaxPayload());
        } else {
            return null;
        }
        byte[] bytes = new byte[questionEnd - HEADER + 4];
        for (int i = HEADER; i < questionEnd; i++) {
            byte b = q[i];
            bytes[i - HEADER] = b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
        }
        int k = questionEnd - HEADER;
        bytes[k] = (byte) (limit >>> 8);
        bytes[k + 1] = (byte) limit;
        bytes[k + 2] = (byte) (edns ? 1 : 0);
        bytes[k + 3] = (byte) transport.ordinal();
        return new Key(bytes, questionEnd);
    }

    /** The response for this query, or null on a miss. */
    DnsResponder.Reply get(Key key, byte[] query) {
        Entry entry = entries.get(key);
        if (entry == null) {
            return null;
        }
        byte[] out = entry.wire.clone();
        out[0] = query[0];
        out[1] = query[1];
        out[2] = (byte) ((out[2] & ~0x01) | (query[2] & 0x01)); // RD echoed
        out[3] = (byte) ((out[3] & ~0x10) | (query[3] & 0x10)); // CD echoed
        System.arraycopy(query, HEADER, out, HEADER, key.questionEnd - HEADER); // the asker's spelling
        return new DnsResponder.Reply(out, entry.qtype, entry.rcode, null, key.questionEnd, entry.questionHash,
                java.util.List.of());
    }

    void put(Key key, DnsResponder.Reply reply) {
        if (entries.size() >= MAX_ENTRIES) {
            entries.clear();
        }
        entries.put(key, new Entry(reply.wire(), reply.qtype(), reply.rcode(), reply.questionHash()));
    }

    int size() {
        return entries.size();
    }

    private record Entry(byte[] wire, int qtype, int rcode, int questionHash) {}

    /** Lower-cased question bytes plus what shapes the response (size limit, EDNS, transport). */
    static final class Key {
        private final byte[] bytes;
        private final int hash;
        final int questionEnd;

        Key(byte[] bytes, int questionEnd) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
            this.questionEnd = questionEnd;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
