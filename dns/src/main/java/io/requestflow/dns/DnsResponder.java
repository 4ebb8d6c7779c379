package io.requestflow.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.requestflow.dns.geo.ClientLocation;
import io.requestflow.dns.geo.ClientLocator;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Turns the bytes of one query into the bytes of its response: the DNS protocol rules around a {@link Zone}.
 *
 * <p>It never throws for anything a client sends. Input whose header can be read gets FORMERR; input that is
 * not even a header, or is itself a response, gets nothing, because answering a response could start a loop
 * between two servers. dnsjava does the wire format; the decisions are here.
 */
public final class DnsResponder {

    /** RFC 6891 §7: BADVERS, for an EDNS version we do not speak (12 bits: 4 in the header, 8 in the OPT). */
    static final int BADVERS = 16;

    private static final int QR_BIT = 0x8000;
    private static final int RD_BIT = 0x0100;

    private static final InetSocketAddress LOOPBACK =
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final Zone zone;
    private final DnsConfig config;
    private final ClientLocator locator;
    private final Predicate<String> healthy;
    private final AnswerCache cache;

    /** A responder with every target healthy and clients placed by the config's ranges only. */
    public DnsResponder(Zone zone, DnsConfig config) {
        this(zone, config, new ClientLocator(config.regions(), config.defaultRegion(), null), url -> true);
    }

    public DnsResponder(Zone zone, DnsConfig config, ClientLocator locator, Predicate<String> healthy) {
        this.zone = zone;
        this.config = config;
        this.locator = locator;
        this.healthy = healthy;
        this.cache = new AnswerCache(config);
    }

    public Zone zone() {
        return zone;
    }

    /** Answers one query from a loopback client. */
    public Reply respond(byte[] query, DnsTransport transport) {
        return respond(query, transport, LOOPBACK);
    }

    /**
     * The ready-made response for this query when there is one (see {@link AnswerCache}), else null: then
     * {@link #respond} takes the full way. Allocates nothing.
     */
    AnswerCache.Entry cached(ByteBuf query, DnsTransport transport) {
        int length = query.readableBytes();
        if (length < Header.LENGTH || length > config.maxQueryBytes()
                || (query.getByte(query.readerIndex() + 2) & (QR_BIT >>> 8)) != 0) {
            return null; // the full way drops these
        }
        return cache.find(query, transport);
    }

    /** Answers one query; {@link Reply#wire()} is null when the input deserves no answer at all. */
    public Reply respond(byte[] query, DnsTransport transport, InetSocketAddress client) {
        if (query.length < Header.LENGTH) {
            return Reply.drop("short");
        }
        int flags = ((query[2] & 0xFF) << 8) | (query[3] & 0xFF);
        if ((flags & QR_BIT) != 0) {
            return Reply.drop("response");
        }
        if (query.length > config.maxQueryBytes()) {
            return Reply.drop("too-large");
        }
        AnswerCache.Entry hit = cache.find(Unpooled.wrappedBuffer(query), transport);
        if (hit != null) {
            return hit.reply(query);
        }
        Message request;
        try {
            request = new Message(query);
        } catch (IOException | RuntimeException e) {
            return formatError(query, flags);
        }
        if (!complete(query, request)) {
            return formatError(query, flags);
        }
        Reply reply = respond(request, transport, client);
        if (reply.cacheable()) {
            cache.put(query, transport, reply);
        }
        return reply;
    }

    private Reply respond(Message request, DnsTransport transport, InetSocketAddress client) {
        Header header = request.getHeader();
        List<Record> questions = request.getSection(Section.QUESTION);
        Record question = questions.size() == 1 ? questions.get(0) : null;
        int qtype = question == null ? Reply.NO_TYPE : question.getType();
        if (header.getOpcode() != Opcode.QUERY) {
            return reply(request, question, Rcode.NOTIMP, transport);
        }
        if (question == null || qtype == Type.OPT || countOpt(request) > 1) {
            return reply(request, question, Rcode.FORMERR, transport);
        }
        OPTRecord opt = request.getOPT();
        if (opt != null && opt.getVersion() != 0) {
            return reply(request, question, BADVERS, transport);
        }
        if (question.getDClass() != DClass.IN || qtype == Type.AXFR || qtype == Type.IXFR) {
            // Only class IN is served, and the zone is not offered for transfer.
            return reply(request, question, Rcode.REFUSED, transport);
        }
        ClientSubnetOption ecs = clientSubnet(opt);
        Supplier<ClientLocation> where = memo(() -> ecs != null && ecs.getSourcePrefixLength() > 0
                ? locator.locate(ecs.getAddress(), ecs.getSourcePrefixLength())
                : locator.locate(client.getAddress(), client.getAddress().getAddress().length * 8));
        Zone.Answer answer = zone.lookup(question.getName(), qtype,
                new Zone.Context(where, healthy, ThreadLocalRandom.current()));
        EDNSOption echo = null;
        if (ecs != null) {
            // RFC 7871 §7.2.1: echo the subnet; the scope says how much of it the answer depended on.
            int scope = answer.locationDependent() ? Math.min(where.get().scopePrefix(), maxBits(ecs)) : 0;
            echo = new ClientSubnetOption(ecs.getSourcePrefixLength(), ecs.getSourcePrefixLength() == 0 ? 0 : scope,
                    ecs.getAddress());
        }
        Message response = response(request, question, answer.rcode(), echo);
        if (answer.authoritative()) {
            response.getHeader().setFlag(Flags.AA);
        }
        answer.answer().forEach(r -> response.addRecord(r, Section.ANSWER));
        answer.authority().forEach(r -> response.addRecord(r, Section.AUTHORITY));
        answer.additional().forEach(r -> response.addRecord(r, Section.ADDITIONAL));
        Reply reply = fit(request, question, response, answer.rcode(), transport, answer.choices());
        boolean cacheable = !answer.dynamic() && answer.rcode() == Rcode.NOERROR && !answer.answer().isEmpty()
                && ecs == null;
        return cacheable ? reply.asCacheable() : reply;
    }

    private static ClientSubnetOption clientSubnet(OPTRecord opt) {
        if (opt == null) {
            return null;
        }
        for (EDNSOption option : opt.getOptions(EDNSOption.Code.CLIENT_SUBNET)) {
            if (option instanceof ClientSubnetOption ecs) {
                return ecs;
            }
        }
        return null;
    }

    private static int maxBits(ClientSubnetOption ecs) {
        return ecs.getFamily() == 1 ? 32 : 128;
    }

    private static <T> Supplier<T> memo(Supplier<T> supplier) {
        Object[] box = new Object[1];
        return () -> {
            if (box[0] == null) {
                box[0] = supplier.get();
            }
            @SuppressWarnings("unchecked")
            T value = (T) box[0];
            return value;
        };
    }

    /** A response with no records, for every error rcode. */
    private Reply reply(Message request, Record question, int rcode, DnsTransport transport) {
        return fit(request, question, response(request, question, rcode, null), rcode, transport, List.of());
    }

    /**
     * Sends the response if it fits the client's limit; otherwise the header and question with TC set, which
     * tells the client to ask again over TCP (RFC 1035 §4.2.1, RFC 7766).
     */
    private Reply fit(Message request, Record question, Message response, int rcode, DnsTransport transport,
                      List<Zone.Choice> choices) {
        int qtype = question == null ? Reply.NO_TYPE : question.getType();
        int questionEnd = question == null ? Header.LENGTH : Header.LENGTH + question.getName().length() + 4;
        int questionHash = question == null ? 0 : question.getName().canonicalize().hashCode() * 31 + qtype;
        byte[] wire = response.toWire();
        if (wire.length <= limit(request, transport)) {
            return new Reply(wire, qtype, rcode, null, questionEnd, questionHash, choices);
        }
        Message truncated = response(request, question, rcode, null);
        truncated.getHeader().setFlag(Flags.TC);
        if (response.getHeader().getFlag(Flags.AA)) {
            truncated.getHeader().setFlag(Flags.AA);
        }
        return new Reply(truncated.toWire(), qtype, rcode, null, questionEnd, questionHash, choices);
    }

    /**
     * The largest response this client takes: over UDP, 512 bytes (configurable) without EDNS, otherwise what
     * its OPT record advertises, never below 512 nor above our cap; over TCP, the configured maximum.
     */
    private int limit(Message request, DnsTransport transport) {
        if (transport == DnsTransport.TCP) {
            return config.maxTcpMessageSize();
        }
        OPTRecord opt = request.getOPT();
        if (opt == null) {
            return config.udpPayloadSize();
        }
        return Math.min(Math.max(opt.getPayloadSize(), DnsConfig.MIN_MESSAGE_SIZE), config.ednsMaxPayload());
    }

    /** Header, question and (for an EDNS client) OPT: what every response starts from. */
    private Message response(Message request, Record question, int rcode, EDNSOption echo) {
        Header in = request.getHeader();
        Message response = new Message(in.getID());
        Header out = response.getHeader();
        out.setFlag(Flags.QR);
        out.setOpcode(in.getOpcode());
        if (in.getFlag(Flags.RD)) {
            out.setFlag(Flags.RD); // echoed; RA stays clear because this server never recurses
        }
        if (in.getFlag(Flags.CD)) {
            out.setFlag(Flags.CD);
        }
        out.setRcode(rcode & 0xF);
        if (question != null) {
            response.addRecord(question, Section.QUESTION);
        }
        if (request.getOPT() != null && countOpt(request) == 1) {
            // The upper 8 bits of an extended rcode travel in the OPT record.
            OPTRecord opt = echo == null ? new OPTRecord(config.ednsMaxPayload(), rcode >>> 4, 0, 0)
                    : new OPTRecord(config.ednsMaxPayload(), rcode >>> 4, 0, 0, List.of(echo));
            response.addRecord(opt, Section.ADDITIONAL);
        }
        return response;
    }

    /**
     * SERVFAIL for this query, its id and question kept: what an injected fault ({@code ./flow break dns
     * --error}) answers, as a broken authoritative server would. Unreadable input gets nothing.
     */
    public Reply serverFailure(byte[] query, DnsTransport transport) {
        try {
            Message request = new Message(query);
            List<Record> questions = request.getSection(Section.QUESTION);
            return reply(request, questions.size() == 1 ? questions.get(0) : null, Rcode.SERVFAIL, transport);
        } catch (IOException | RuntimeException e) {
            return Reply.drop("malformed");
        }
    }

    /** FORMERR for bytes dnsjava cannot parse: the id, opcode and RD come straight from the raw header. */
    private static Reply formatError(byte[] query, int flags) {
        int id = ((query[0] & 0xFF) << 8) | (query[1] & 0xFF);
        Message response = new Message(id);
        Header out = response.getHeader();
        out.setFlag(Flags.QR);
        out.setOpcode((flags >>> 11) & 0xF);
        if ((flags & RD_BIT) != 0) {
            out.setFlag(Flags.RD);
        }
        out.setRcode(Rcode.FORMERR);
        return new Reply(response.toWire(), Reply.NO_TYPE, Rcode.FORMERR, null, Header.LENGTH, 0, List.of());
    }

    /**
     * Whether every record the raw header promises was parsed. dnsjava forgives a message cut short when its TC
     * flag is set (and rewrites the counts to match), but a query that promises more than it carries is malformed.
     */
    private static boolean complete(byte[] query, Message request) {
        int[] sections = {Section.QUESTION, Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL};
        for (int i = 0; i < sections.length; i++) {
            int promised = ((query[4 + 2 * i] & 0xFF) << 8) | (query[5 + 2 * i] & 0xFF);
            if (promised != request.getSection(sections[i]).size()) {
                return false;
            }
        }
        return true;
    }

    private static long countOpt(Message request) {
        return request.getSection(Section.ADDITIONAL).stream().filter(r -> r.getType() == Type.OPT).count();
    }

    /**
     * The outcome of one query.
     *
     * @param wire       the response bytes, or null to send nothing
     * @param qtype      the question's type, or {@link #NO_TYPE} when there was no readable question
     * @param rcode      the (possibly extended) response code; meaningless when dropped
     * @param dropReason   why nothing is sent, or null when something is
     * @param questionEnd  where the question section ends in {@code wire} (a truncated reply keeps up to here)
     * @param questionHash identifies (name, type) case-insensitively, for rate limiting identical responses
     * @param choices      the routing decisions behind the answer
     */
    public record Reply(byte[] wire, int qtype, int rcode, String dropReason, int questionEnd, int questionHash,
                        List<Zone.Choice> choices, boolean cacheable) {
        public static final int NO_TYPE = -1;

        public Reply(byte[] wire, int qtype, int rcode, String dropReason, int questionEnd, int questionHash,
                     List<Zone.Choice> choices) {
            this(wire, qtype, rcode, dropReason, questionEnd, questionHash, choices, false);
        }

        static Reply drop(String reason) {
            return new Reply(null, NO_TYPE, -1, reason, 0, 0, List.of());
        }

        Reply asCacheable() {
            return new Reply(wire, qtype, rcode, dropReason, questionEnd, questionHash, choices, true);
        }

        /** Header and question only, with TC set: "ask again over TCP" (rate limiting's slip). */
        public byte[] truncatedWire() {
            byte[] out = java.util.Arrays.copyOf(wire, questionEnd);
            out[2] |= 0x02;
            for (int i = 6; i < 12; i++) {
                out[i] = 0;
            }
            return out;
        }

        public boolean dropped() {
            return wire == null;
        }
    }
}
