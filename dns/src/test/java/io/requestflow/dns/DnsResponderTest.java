package io.requestflow.dns;

import static io.requestflow.dns.Queries.parse;
import static io.requestflow.dns.Queries.query;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The protocol rules, without sockets: bytes in, bytes out. */
@Timeout(10)
class DnsResponderTest {

    private final DnsConfig config = Queries.config();
    private final DnsResponder responder = new DnsResponder(Zone.from(config), config);

    @Test
    void echoesIdAndRdButNeverSetsRa() {
        byte[] query = query("shop.requestflow.test.", Type.A);
        Message request = parse(query);

        Message response = answer(query, DnsTransport.UDP);

        assertThat(response.getHeader().getID()).isEqualTo(request.getHeader().getID());
        assertThat(response.getHeader().getFlag(Flags.QR)).isTrue();
        assertThat(response.getHeader().getFlag(Flags.RD)).isTrue();
        assertThat(response.getHeader().getFlag(Flags.RA)).isFalse();
        assertThat(response.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(response.getQuestion()).isEqualTo(request.getQuestion());
    }

    @Test
    void withoutEdnsTheAnswerCarriesNoOpt() {
        assertThat(answer(query("shop.requestflow.test.", Type.A), DnsTransport.UDP).getOPT()).isNull();
    }

    @Test
    void ednsQueryGetsOptWithOurCap() {
        Message response = answer(Queries.ednsQuery("shop.requestflow.test.", Type.A, 4096, 0), DnsTransport.UDP);

        OPTRecord opt = response.getOPT();
        assertThat(opt).isNotNull();
        assertThat(opt.getPayloadSize()).isEqualTo(1232);
        assertThat(response.getRcode()).isEqualTo(Rcode.NOERROR);
    }

    @Test
    void unknownEdnsVersionIsBadvers() {
        Message response = answer(Queries.ednsQuery("shop.requestflow.test.", Type.A, 1232, 1), DnsTransport.UDP);

        assertThat(response.getRcode()).isEqualTo(Rcode.BADVERS);
        assertThat(response.getSection(Section.ANSWER)).isEmpty();
    }

    @Test
    void sixtyAddressesDoNotFitIn512ButFitIn1232() {
        Message plain = answer(query("many.requestflow.test.", Type.A), DnsTransport.UDP);
        assertThat(plain.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(plain.getSection(Section.ANSWER)).isEmpty();
        assertThat(plain.getQuestion()).isNotNull();

        Message edns = answer(Queries.ednsQuery("many.requestflow.test.", Type.A, 1232, 0), DnsTransport.UDP);
        assertThat(edns.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(edns.getSection(Section.ANSWER)).hasSize(60);
    }

    @Test
    void advertisedSizeIsCappedAndFloored() {
        byte[] asksForMore = Queries.ednsQuery("huge.requestflow.test.", Type.A, 65000, 0);
        assertThat(answer(asksForMore, DnsTransport.UDP).getHeader().getFlag(Flags.TC))
                .as("100 addresses exceed the 1232 cap whatever the client says").isTrue();

        byte[] asksForLess = Queries.ednsQuery("shop.requestflow.test.", Type.A, 100, 0);
        assertThat(answer(asksForLess, DnsTransport.UDP).getHeader().getFlag(Flags.TC))
                .as("below 512 is read as 512").isFalse();
    }

    @Test
    void tcpCarriesWhatUdpCannot() {
        Message response = answer(query("huge.requestflow.test.", Type.A), DnsTransport.TCP);

        assertThat(response.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(response.getSection(Section.ANSWER)).hasSize(100);
    }

    @Test
    void otherOpcodesAreNotImplemented() {
        byte[] notify = Queries.withOpcode(query("requestflow.test.", Type.SOA), Opcode.NOTIFY);

        Message response = answer(notify, DnsTransport.UDP);

        assertThat(response.getRcode()).isEqualTo(Rcode.NOTIMP);
        assertThat(response.getHeader().getOpcode()).isEqualTo(Opcode.NOTIFY);
    }

    @Test
    void zoneTransfersAndOtherClassesAreRefused() {
        assertThat(answer(query("requestflow.test.", Type.AXFR), DnsTransport.TCP).getRcode())
                .isEqualTo(Rcode.REFUSED);
        Message chaos = Message.newQuery(
                Record.newRecord(Name.fromConstantString("version.bind."), Type.TXT, DClass.CH));
        assertThat(answer(chaos.toWire(), DnsTransport.UDP).getRcode()).isEqualTo(Rcode.REFUSED);
    }

    @Test
    void headerWithoutItsQuestionsIsFormerr() {
        Message response = answer(Queries.headerClaimingFiveQuestions(), DnsTransport.UDP);

        assertThat(response.getRcode()).isEqualTo(Rcode.FORMERR);
        assertThat(response.getHeader().getID()).isEqualTo(0x1234);
    }

    @Test
    void cutShortMessageIsFormerrEvenWithTcSet() {
        byte[] cutShort = Queries.withOpcode(Queries.headerClaimingFiveQuestions(), Opcode.NOTIFY);
        cutShort[2] |= 0x02; // TC: dnsjava then parses what is there instead of failing

        assertThat(answer(cutShort, DnsTransport.UDP).getRcode()).isEqualTo(Rcode.FORMERR);
    }

    @Test
    void compressionLoopsAreFormerr() {
        assertThat(answer(Queries.compressionLoop(), DnsTransport.UDP).getRcode()).isEqualTo(Rcode.FORMERR);
        assertThat(answer(Queries.compressionCycle(), DnsTransport.UDP).getRcode()).isEqualTo(Rcode.FORMERR);
    }

    @Test
    void twoQuestionsAreFormerr() {
        Message two = Queries.message("shop.requestflow.test.", Type.A);
        two.addRecord(Queries.message("many.requestflow.test.", Type.A).getQuestion(), Section.QUESTION);

        assertThat(answer(two.toWire(), DnsTransport.UDP).getRcode()).isEqualTo(Rcode.FORMERR);
    }

    @Test
    void shortInputAndResponsesGetNothing() {
        assertThat(responder.respond(new byte[11], DnsTransport.UDP).dropped()).isTrue();

        byte[] response = responder.respond(query("shop.requestflow.test.", Type.A), DnsTransport.UDP).wire();
        assertThat(responder.respond(response, DnsTransport.UDP).dropped())
                .as("answering a response could loop between two servers").isTrue();
    }

    @Test
    void neverThrowsOnRandomOrMangledInput() {
        Random random = new Random(7);
        byte[] valid = Queries.ednsQuery("shop.requestflow.test.", Type.A, 1232, 0);
        for (int i = 0; i < 20_000; i++) {
            byte[] input;
            if (i % 2 == 0) {
                input = new byte[random.nextInt(64)];
                random.nextBytes(input);
            } else {
                input = valid.clone();
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    input[random.nextInt(input.length)] = (byte) random.nextInt(256);
                }
            }
            DnsResponder.Reply reply = responder.respond(input, DnsTransport.UDP);
            if (!reply.dropped()) {
                Message response = parse(reply.wire());
                assertThat(response.getHeader().getFlag(Flags.QR)).isTrue();
                assertThat(reply.wire().length).isLessThanOrEqualTo(1232);
            }
        }
    }

    private Message answer(byte[] query, DnsTransport transport) {
        DnsResponder.Reply reply = responder.respond(query, transport);
        assertThat(reply.dropped()).as("dropped: %s", reply.dropReason()).isFalse();
        return parse(reply.wire());
    }
}
