package io.requestflow.dns;

import static io.requestflow.dns.Queries.query;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Type;

/**
 * The ready-made path gives byte for byte what the full dnsjava path gives, and a hit allocates nothing (garbage
 * per query is what turns into collection pauses, and those into tail latency).
 */
class AnswerCacheTest {

    private final DnsConfig config = Queries.config();
    // one zone for both paths: its SOA serial is the clock's seconds, and two zones built a second apart differ
    private final Zone zone = Zone.from(config);
    private final DnsResponder cached = new DnsResponder(zone, config);

    @Test
    void aHitIsByteForByteTheFullAnswer() {
        for (DnsTransport transport : DnsTransport.values()) {
            for (byte[] query : variants()) {
                byte[] full = fresh().respond(query, transport).wire();
                cached.respond(query, transport); // the full way, which stores it
                AnswerCache.Entry hit = cached.cached(Unpooled.wrappedBuffer(query), transport);
                assertThat(hit).as("a hit for %s over %s", Queries.parse(query).getQuestion(), transport).isNotNull();
                assertThat(written(hit, query, false)).isEqualTo(full);
                assertThat(cached.respond(query, transport).wire()).isEqualTo(full);
            }
        }
    }

    @Test
    void theOtherSpellingsFlagsAndIdsOfAQuestionShareOneEntry() {
        cached.respond(query("shop.requestflow.test.", Type.A), DnsTransport.UDP);
        byte[] other = query("SHOP.requestflow.TEST.", Type.A);
        other[0] = 0x7E;
        other[2] &= (byte) ~0x01; // RD off
        other[3] |= 0x10;         // CD on
        AnswerCache.Entry hit = cached.cached(Unpooled.wrappedBuffer(other), DnsTransport.UDP);

        Message response = Queries.parse(written(hit, other, false));
        assertThat(response.getHeader().getID()).isEqualTo(Queries.parse(other).getHeader().getID());
        assertThat(response.getHeader().getFlag(Flags.RD)).isFalse();
        assertThat(response.getHeader().getFlag(Flags.CD)).isTrue();
        assertThat(response.getQuestion().getName().toString()).isEqualTo("SHOP.requestflow.TEST.");
    }

    @Test
    void theTruncatedHitIsTheFullPathsSlipReply() {
        byte[] query = query("shop.requestflow.test.", Type.A);
        DnsResponder.Reply full = fresh().respond(query, DnsTransport.UDP);
        cached.respond(query, DnsTransport.UDP);

        AnswerCache.Entry hit = cached.cached(Unpooled.wrappedBuffer(query), DnsTransport.UDP);
        assertThat(written(hit, query, true)).isEqualTo(full.truncatedWire());
    }

    @Test
    void onlyPlainQueriesWithStaticAnswersAreServedReadyMade() {
        byte[] missing = query("nope.requestflow.test.", Type.A);
        cached.respond(missing, DnsTransport.UDP);
        assertThat(cached.cached(Unpooled.wrappedBuffer(missing), DnsTransport.UDP)).as("NXDOMAIN").isNull();

        byte[] shop = query("shop.requestflow.test.", Type.A);
        cached.respond(shop, DnsTransport.UDP);
        byte[] response = shop.clone();
        response[2] |= (byte) 0x80; // QR: a response, which gets nothing at all
        assertThat(cached.cached(Unpooled.wrappedBuffer(response), DnsTransport.UDP)).isNull();
        assertThat(cached.respond(response, DnsTransport.UDP).dropped()).isTrue();
        assertThat(cached.cached(Unpooled.wrappedBuffer(shop), DnsTransport.TCP)).as("other transport").isNull();
    }

    @Test
    void aHitAllocatesNothing() {
        byte[] query = Queries.ednsQuery("shop.requestflow.test.", Type.A, 1232, 0);
        cached.respond(query, DnsTransport.UDP);
        ByteBuf in = Unpooled.wrappedBuffer(query);
        ByteBuf out = Unpooled.buffer(512);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int queries = 100_000;
        serve(in, out, 1_000); // first-use allocations (the thread's scratch key, class loading) out of the count

        long before = threads.getCurrentThreadAllocatedBytes();
        long answered = serve(in, out, queries);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(answered).isEqualTo(queries);
        System.out.printf("dns answer cache: %d bytes allocated for %d hits%n", allocated, queries);
        assertThat(allocated).as("bytes allocated for %d hits", queries).isLessThan(queries / 10);
    }

    private long serve(ByteBuf in, ByteBuf out, int queries) {
        long answered = 0;
        for (int i = 0; i < queries; i++) {
            AnswerCache.Entry hit = cached.cached(in, DnsTransport.UDP);
            if (hit != null) {
                out.clear();
                hit.writeTo(in, out, false);
                answered++;
            }
        }
        return answered;
    }

    private DnsResponder fresh() {
        return new DnsResponder(zone, config);
    }

    private static byte[] written(AnswerCache.Entry hit, byte[] query, boolean truncated) {
        ByteBuf out = Unpooled.buffer(hit.length());
        hit.writeTo(Unpooled.wrappedBuffer(query), out, truncated);
        return Arrays.copyOf(out.array(), out.writerIndex());
    }

    /** Names, types, sizes and EDNS payloads whose answers do not depend on the client. */
    private static List<byte[]> variants() {
        return List.of(
                query("shop.requestflow.test.", Type.A),
                query("ShOp.RequestFlow.Test.", Type.A),
                query("requestflow.test.", Type.SOA),
                query("requestflow.test.", Type.NS),
                query("many.requestflow.test.", Type.A), // truncated over UDP without EDNS
                Queries.ednsQuery("many.requestflow.test.", Type.A, 1232, 0),
                Queries.ednsQuery("huge.requestflow.test.", Type.A, 4096, 0),
                Queries.ednsQuery("shop.requestflow.test.", Type.A, 512, 0));
    }
}
