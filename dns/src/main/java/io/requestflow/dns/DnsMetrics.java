package io.requestflow.dns;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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
    private static final Set<Integer> NAMED_TYPES = Set.of(
            Type.A, Type.AAAA, Type.NS, Type.SOA, Type.CNAME, Type.PTR, Type.MX, Type.TXT, Type.SRV,
            Type.HTTPS, Type.SVCB, Type.CAA, Type.DS, Type.DNSKEY, Type.ANY, Type.AXFR, Type.IXFR);

    private final MeterRegistry registry;
    private final Map<DnsTransport, Timer> timers = new EnumMap<>(DnsTransport.class);
    private final Map<QueryKey, Counter> queries = new ConcurrentHashMap<>();

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
        timers.get(transport).record(nanos, TimeUnit.NANOSECONDS);
        if (reply.dropped()) {
            Counter.builder(DROPPED)
                    .description("DNS input that got no answer")
                    .tag("transport", transport.tag())
                    .tag("reason", reply.dropReason())
                    .register(registry)
                    .increment();
            return;
        }
        queries.computeIfAbsent(new QueryKey(transport, qtypeTag(reply.qtype()), Rcode.string(reply.rcode())),
                key -> Counter.builder(QUERIES)
                        .description("DNS queries answered")
                        .tag("transport", key.transport().tag())
                        .tag("qtype", key.qtype())
                        .tag("rcode", key.rcode())
                        .register(registry))
                .increment();
    }

    private static String qtypeTag(int qtype) {
        if (qtype == DnsResponder.Reply.NO_TYPE) {
            return "NONE";
        }
        return NAMED_TYPES.contains(qtype) ? Type.string(qtype) : "OTHER";
    }

    /** One routing decision; tags come from config (set names, answer ids), never from the client. */
    void decision(Zone.Choice choice) {
        for (String id : choice.chosen()) {
            Counter.builder(DECISIONS).description("Answers chosen by DNS routing policies")
                    .tag("recordset", choice.recordSet()).tag("policy", choice.policy()).tag("answer", id)
                    .tag("failopen", Boolean.toString(choice.failOpen()))
                    .register(registry).increment();
        }
    }

    /** A UDP response held back by rate limiting ({@code slip}: sent truncated; {@code drop}: not sent). */
    void rateLimited(String action) {
        Counter.builder(RATE_LIMITED).description("UDP responses limited per client subnet")
                .tag("action", action).register(registry).increment();
    }

    private record QueryKey(DnsTransport transport, String qtype, String rcode) {}
}
