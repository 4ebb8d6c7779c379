package io.requestflow.dns;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * The dns hop's meters: {@code requestflow.dns.queries} by qtype, rcode and transport,
 * {@code requestflow.dns.query.duration} by transport, and {@code requestflow.dns.dropped} by transport and
 * reason for input that got no answer.
 */
final class DnsMetrics {

    static final String QUERIES = "requestflow.dns.queries";
    static final String DURATION = "requestflow.dns.query.duration";
    static final String DROPPED = "requestflow.dns.dropped";
    static final String DECISIONS = "requestflow.dns.policy.decisions";
    static final String RATE_LIMITED = "requestflow.dns.rate.limited";

    /**
     * Types named in the qtype tag; anything else counts as OTHER. Clients choose the qtype, so tagging every
     * value would let anyone grow the registry by 65536 series.
     */
    private static final int[] NAMED_TYPES = {
            Type.A, Type.AAAA, Type.NS, Type.SOA, Type.CNAME, Type.PTR, Type.MX, Type.TXT, Type.SRV,
            Type.HTTPS, Type.SVCB, Type.CAA, Type.DS, Type.DNSKEY, Type.ANY, Type.AXFR, Type.IXFR};
    /** Type number (below {@link #TYPE_SLOTS}) to 1 + its place in {@link #NAMED_TYPES}; 0 = not named. */
    private static final int TYPE_SLOTS = 258;
    private static final byte[] TYPE_INDEX = new byte[TYPE_SLOTS];
    private static final int OTHER = NAMED_TYPES.length;
    private static final int NONE = NAMED_TYPES.length + 1;
    /** Rcodes below this have a counter slot; the rest (rare extended ones) go through a map. */
    private static final int RCODE_SLOTS = 32;

    static {
        for (int i = 0; i < NAMED_TYPES.length; i++) {
            TYPE_INDEX[NAMED_TYPES[i]] = (byte) (i + 1);
        }
    }

    private final MeterRegistry registry;
    private final Map<DnsTransport, Timer> timers = new EnumMap<>(DnsTransport.class);
    /** The queries counter per (transport, type slot, rcode), found without allocating on the answer path. */
    private final AtomicReferenceArray<Counter> querySlots =
            new AtomicReferenceArray<>(DnsTransport.values().length * (NONE + 1) * RCODE_SLOTS);
    private final Map<QueryKey, Counter> queries = new ConcurrentHashMap<>();
    private final Map<DecisionKey, Counter> decisions = new ConcurrentHashMap<>();

    DnsMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (DnsTransport transport : DnsTransport.values()) {
            timers.put(transport, Timer.builder(DURATION)
                    .description("Time to build a DNS response, from query bytes to response bytes")
                    .tag("transport", transport.tag())
                    .register(registry));
        }
    }

    void record(DnsTransport transport, DnsResponder.Reply reply, long nanos) {
        if (reply.dropped()) {
            timers.get(transport).record(nanos, TimeUnit.NANOSECONDS);
            Counter.builder(DROPPED)
                    .description("DNS input that got no answer")
                    .tag("transport", transport.tag())
                    .tag("reason", reply.dropReason())
                    .register(registry)
                    .increment();
            return;
        }
        record(transport, reply.qtype(), reply.rcode(), nanos);
    }

    /** One answered query. */
    void record(DnsTransport transport, int qtype, int rcode, long nanos) {
        timers.get(transport).record(nanos, TimeUnit.NANOSECONDS);
        int type = qtype == DnsResponder.Reply.NO_TYPE ? NONE
                : qtype >= 0 && qtype < TYPE_SLOTS && TYPE_INDEX[qtype] != 0 ? TYPE_INDEX[qtype] - 1 : OTHER;
        if (rcode < 0 || rcode >= RCODE_SLOTS) {
            queries.computeIfAbsent(new QueryKey(transport, type, rcode), this::queryCounter).increment();
            return;
        }
        int slot = (transport.ordinal() * (NONE + 1) + type) * RCODE_SLOTS + rcode;
        Counter counter = querySlots.get(slot);
        if (counter == null) {
            // a race registers the same meter twice, and the registry hands back the same counter
            counter = queryCounter(new QueryKey(transport, type, rcode));
            querySlots.set(slot, counter);
        }
        counter.increment();
    }

    private Counter queryCounter(QueryKey key) {
        String qtype = key.type() == NONE ? "NONE" : key.type() == OTHER ? "OTHER" : Type.string(NAMED_TYPES[key.type()]);
        return Counter.builder(QUERIES)
                .description("DNS queries answered")
                .tag("transport", key.transport().tag())
                .tag("qtype", qtype)
                .tag("rcode", Rcode.string(key.rcode()))
                .register(registry);
    }

    /** One routing decision; tags come from config (set names, answer ids), never from the client. */
    void decision(Zone.Choice choice) {
        for (String id : choice.chosen()) {
            decisions.computeIfAbsent(new DecisionKey(choice.recordSet(), choice.policy(), id, choice.failOpen()),
                    key -> Counter.builder(DECISIONS).description("Answers chosen by DNS routing policies")
                            .tag("recordset", key.recordSet()).tag("policy", key.policy()).tag("answer", key.answer())
                            .tag("failopen", Boolean.toString(key.failOpen()))
                            .register(registry)).increment();
        }
    }

    /** A UDP response held back by rate limiting ({@code slip}: sent truncated; {@code drop}: not sent). */
    void rateLimited(String action) {
        Counter.builder(RATE_LIMITED).description("UDP responses limited per client subnet")
                .tag("action", action).register(registry).increment();
    }

    private record QueryKey(DnsTransport transport, int type, int rcode) {}

    private record DecisionKey(String recordSet, String policy, String answer, boolean failOpen) {}
}
