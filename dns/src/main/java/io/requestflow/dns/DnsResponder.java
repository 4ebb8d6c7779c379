package io.requestflow.dns;

import java.io.IOException;
import java.util.List;
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

    private final Zone zone;
    private final DnsConfig config;

    public DnsResponder(Zone zone, DnsConfig config) {
        this.zone = zone;
        this.config = config;
    }

    /** Answers one query; {@link Reply#wire()} is null when the input deserves no answer at all. */
    public Reply respond(byte[] query, DnsTransport transport) {
        if (query.length < Header.LENGTH) {
            return Reply.drop("short");
        }
        int flags = ((query[2] & 0xFF) << 8) | (query[3] & 0xFF);
        if ((flags & QR_BIT) != 0) {
            return Reply.drop("response");
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
        return respond(request, transport);
    }

    private Reply respond(Message request, DnsTransport transport) {
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
        Zone.Answer answer = zone.lookup(question.getName(), qtype);
        Message response = response(request, question, answer.rcode());
        if (answer.authoritative()) {
            response.getHeader().setFlag(Flags.AA);
        }
        answer.answer().forEach(r -> response.addRecord(r, Section.ANSWER));
        answer.authority().forEach(r -> response.addRecord(r, Section.AUTHORITY));
        answer.additional().forEach(r -> response.addRecord(r, Section.ADDITIONAL));
        return fit(request, question, response, answer.rcode(), transport);
    }

    /** A response with no records, for every error rcode. */
    private Reply reply(Message request, Record question, int rcode, DnsTransport transport) {
        return fit(request, question, response(request, question, rcode), rcode, transport);
    }

    /**
     * Sends the response if it fits the client's limit; otherwise the header and question with TC set, which
     * tells the client to ask again over TCP (RFC 1035 §4.2.1, RFC 7766).
     */
    private Reply fit(Message request, Record question, Message response, int rcode, DnsTransport transport) {
        int qtype = question == null ? Reply.NO_TYPE : question.getType();
        byte[] wire = response.toWire();
        if (wire.length <= limit(request, transport)) {
            return new Reply(wire, qtype, rcode, null);
        }
        Message truncated = response(request, question, rcode);
        truncated.getHeader().setFlag(Flags.TC);
        if (response.getHeader().getFlag(Flags.AA)) {
            truncated.getHeader().setFlag(Flags.AA);
        }
        return new Reply(truncated.toWire(), qtype, rcode, null);
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
    private Message response(Message request, Record question, int rcode) {
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
            response.addRecord(new OPTRecord(config.ednsMaxPayload(), rcode >>> 4, 0, 0), Section.ADDITIONAL);
        }
        return response;
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
        return new Reply(response.toWire(), Reply.NO_TYPE, Rcode.FORMERR, null);
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
     * @param dropReason why nothing is sent, or null when something is
     */
    public record Reply(byte[] wire, int qtype, int rcode, String dropReason) {
        public static final int NO_TYPE = -1;

        static Reply drop(String reason) {
            return new Reply(null, NO_TYPE, -1, reason);
        }

        public boolean dropped() {
            return wire == null;
        }
    }
}
