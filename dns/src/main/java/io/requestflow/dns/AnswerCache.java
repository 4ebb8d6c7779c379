package io.requestflow.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ready-made responses for the common query: one question, no records but at most a bare OPT, asking about a
 * name whose answer does not depend on who asks. Such a response differs between two queries only in the id,
 * the RD/CD flags and the spelling of the question name (same length, since names compare case-insensitively),
 * so a hit copies the stored bytes and patches those three; everything else (compression pointers included)
 * stays valid. Misses, and anything unusual, go the full way through dnsjava, which fills the cache.
 *
 * <p>A lookup reads the query where it lies (a Netty buffer) into a per-thread scratch key and allocates nothing,
 * so a hit costs no garbage beyond the buffer the response is written into: at tens of thousands of queries a
 * second, garbage means young collections, and their pauses are what a DNS client sees as tail latency.
 *
 * <p>Holds at most {@link #MAX_ENTRIES}; when full it starts over, so a flood of distinct questions costs
 * speed, never memory. Only NOERROR answers with records are kept: random names (NXDOMAIN) never enter.
 */
final class AnswerCache {

    /** Bound on stored responses (a zone's names × the types people ask for, with room to spare). */
    static final int MAX_ENTRIES = 10_000;

    private static final int HEADER = 12;
    private static final int OPT_FIXED = 11; // root name, type, class, ttl, rdlength
    /** A name is at most 255 bytes on the wire; plus type and class, and the key's 4 bytes of context. */
    private static final int MAX_KEY = 255 + 4 + 4;

    /** One scratch key per thread (event loops are FastThreadLocalThreads: an array slot, not a map lookup). */
    private static final FastThreadLocal<Key> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected Key initialValue() {
            return new Key(new byte[MAX_KEY]);
        }
    };

    private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();
    private final DnsConfig config;

    AnswerCache(DnsConfig config) {
        this.config = config;
    }

    /** The stored response for this query, or null on a miss or a query of another kind. Allocates nothing. */
    Entry find(ByteBuf query, DnsTransport transport) {
        Key scratch = SCRATCH.get();
        return fill(scratch, query, transport) ? entries.get(scratch) : null;
    }

    /** Stores the response for this query (when it is of the kind this cache serves). */
    void put(byte[] query, DnsTransport transport, DnsResponder.Reply reply) {
        Key scratch = new Key(new byte[MAX_KEY]);
        if (!fill(scratch, Unpooled.wrappedBuffer(query), transport)) {
            return;
        }
        if (entries.size() >= MAX_ENTRIES) {
            entries.clear();
        }
        entries.put(scratch.copy(), new Entry(reply.wire(), reply.qtype(), reply.rcode(), reply.questionHash(),
                scratch.questionEnd));
    }

    int size() {
        return entries.size();
    }

    /**
     * Puts the lower-cased question and what shapes the response (size limit, EDNS, transport) into {@code key};
     * false when the query is not a plain one-question query with at most a bare OPT.
     */
    private boolean fill(Key key, ByteBuf buf, DnsTransport transport) {
        int base = buf.readerIndex();
        int length = buf.readableBytes();
        if (length < HEADER + 5 || (buf.getByte(base + 2) & 0x78) != 0 // opcode QUERY only
                || buf.getShort(base + 4) != 1 || buf.getShort(base + 6) != 0 || buf.getShort(base + 8) != 0
                || buf.getByte(base + 10) != 0) {
            return false;
        }
        int additional = buf.getByte(base + 11) & 0xFF;
        int pos = HEADER;
        while (true) {
            if (pos >= length) {
                return false;
            }
            int len = buf.getByte(base + pos) & 0xFF;
            if (len == 0) {
                break;
            }
            if (len > 63) {
                return false; // compression pointer or an unknown label type: not a plain name
            }
            pos += len + 1;
        }
        int questionEnd = pos + 1 + 4;
        if (questionEnd - HEADER > 259 || questionEnd > length) {
            return false;
        }
        int limit;
        boolean edns;
        if (additional == 0) {
            if (questionEnd != length) {
                return false;
            }
            edns = false;
            limit = transport == DnsTransport.TCP ? config.maxTcpMessageSize() : config.udpPayloadSize();
        } else if (additional == 1) {
            int o = base + questionEnd;
            // a bare OPT: root owner, type 41, version 0, no extended rcode, no options
            if (length != questionEnd + OPT_FIXED || buf.getByte(o) != 0 || buf.getShort(o + 1) != 41
                    || buf.getShort(o + 5) != 0 || buf.getShort(o + 9) != 0) {
                return false;
            }
            edns = true;
            int payload = buf.getUnsignedShort(o + 3);
            limit = transport == DnsTransport.TCP ? config.maxTcpMessageSize()
                    : Math.min(Math.max(payload, DnsConfig.MIN_MESSAGE_SIZE), config.ednsMaxPayload());
        } else {
            return false;
        }
        byte[] bytes = key.bytes;
        int hash = 1;
        for (int i = HEADER; i < questionEnd; i++) {
            byte b = buf.getByte(base + i);
            b = b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
            bytes[i - HEADER] = b;
            hash = 31 * hash + b;
        }
        int k = questionEnd - HEADER;
        bytes[k] = (byte) (limit >>> 8);
        bytes[k + 1] = (byte) limit;
        bytes[k + 2] = (byte) (edns ? 1 : 0);
        bytes[k + 3] = (byte) transport.ordinal();
        for (int i = k; i < k + 4; i++) {
            hash = 31 * hash + bytes[i];
        }
        key.length = k + 4;
        key.hash = hash;
        key.questionEnd = questionEnd;
        return true;
    }

    /** A stored response and what the server needs to know about it without parsing it. */
    record Entry(byte[] wire, int qtype, int rcode, int questionHash, int questionEnd) {

        int length() {
            return wire.length;
        }

        /**
         * Writes the response to {@code query} into {@code out}: the stored bytes with the query's id, RD and CD
         * flags and question spelling; with {@code truncated}, only the header and question, TC set (the reply
         * that sends a rate-limited client to TCP).
         */
        void writeTo(ByteBuf query, ByteBuf out, boolean truncated) {
            int q = query.readerIndex();
            int start = out.writerIndex();
            out.writeBytes(wire, 0, truncated ? questionEnd : wire.length);
            out.setShort(start, query.getShort(q)); // id
            int flags = (wire[2] & ~0x01) | (query.getByte(q + 2) & 0x01); // RD echoed
            out.setByte(start + 2, truncated ? flags | 0x02 : flags);
            out.setByte(start + 3, (wire[3] & ~0x10) | (query.getByte(q + 3) & 0x10)); // CD echoed
            for (int i = HEADER; i < questionEnd; i++) {
                // the asker's spelling, a byte at a time: buffer-to-buffer copies slice NIO views (garbage)
                out.setByte(start + i, query.getByte(q + i));
            }
            if (truncated) {
                out.setZero(start + 6, 6); // no answer, authority or additional records
            }
        }

        /** The response to {@code query} as a reply of the full path's kind (for the query log, and tests). */
        DnsResponder.Reply reply(byte[] query) {
            ByteBuf out = Unpooled.buffer(wire.length);
            writeTo(Unpooled.wrappedBuffer(query), out, false);
            return new DnsResponder.Reply(out.array(), qtype, rcode, null, questionEnd, questionHash, List.of());
        }
    }

    /** Lower-cased question bytes plus the response's shape; a scratch key is refilled per lookup. */
    static final class Key {
        private final byte[] bytes;
        private int length;
        private int hash;
        private int questionEnd;

        private Key(byte[] bytes) {
            this.bytes = bytes;
        }

        private Key copy() {
            Key copy = new Key(Arrays.copyOf(bytes, length));
            copy.length = length;
            copy.hash = hash;
            copy.questionEnd = questionEnd;
            return copy;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && k.length == length
                    && Arrays.equals(k.bytes, 0, k.length, bytes, 0, length);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
