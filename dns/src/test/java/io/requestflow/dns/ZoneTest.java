package io.requestflow.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

class ZoneTest {

    private final Zone zone = Zone.from(DnsConfig.defaults().withHost("127.0.0.7").withRecords(Map.of(
            "shop", List.of("127.0.0.1", "127.0.0.2"),
            "v6", List.of("::1"),
            "api.eu", List.of("127.0.0.3"),
            "abs.requestflow.test.", List.of("127.0.0.4"),
            "dotless.requestflow.test", List.of("127.0.0.5"))));

    @Test
    void answersAnExactNameAndTypeAuthoritatively() {
        Zone.Answer answer = zone.lookup(name("shop.requestflow.test."), Type.A);

        assertThat(answer.rcode()).isEqualTo(Rcode.NOERROR);
        assertThat(answer.authoritative()).isTrue();
        assertThat(answer.answer()).extracting(r -> ((ARecord) r).getAddress().getHostAddress())
                .containsExactly("127.0.0.1", "127.0.0.2");
        assertThat(answer.answer()).allSatisfy(r -> assertThat(r.getTTL()).isEqualTo(30));
    }

    @Test
    void lookupIgnoresCaseButAnswersInTheQuestionsSpelling() {
        Name asked = name("SHOP.RequestFlow.TEST.");
        Zone.Answer answer = zone.lookup(asked, Type.A);

        assertThat(answer.answer()).hasSize(2);
        assertThat(answer.answer().get(0).getName().toString()).isEqualTo("SHOP.RequestFlow.TEST.");
    }

    @Test
    void apexHasSoaAndNsWithGlue() {
        SOARecord soa = (SOARecord) single(zone.lookup(name("requestflow.test."), Type.SOA).answer());
        assertThat(soa.getHost()).isEqualTo(name("ns1.requestflow.test."));
        assertThat(soa.getAdmin()).isEqualTo(name("hostmaster.requestflow.test."));
        assertThat(soa.getMinimum()).isEqualTo(30);
        assertThat(soa.getSerial()).isPositive();

        Zone.Answer ns = zone.lookup(name("requestflow.test."), Type.NS);
        assertThat(((NSRecord) single(ns.answer())).getTarget()).isEqualTo(name("ns1.requestflow.test."));
        assertThat(ns.additional()).extracting(r -> ((ARecord) r).getAddress().getHostAddress())
                .as("glue is the listen address").containsExactly("127.0.0.7");
    }

    @Test
    void existingNameWithoutTheTypeIsNodata() {
        Zone.Answer answer = zone.lookup(name("shop.requestflow.test."), Type.AAAA);

        assertThat(answer.rcode()).isEqualTo(Rcode.NOERROR);
        assertThat(answer.answer()).isEmpty();
        assertThat(answer.authority()).singleElement().isInstanceOf(SOARecord.class);
    }

    @Test
    void ipv6AddressesBecomeAaaa() {
        assertThat(zone.lookup(name("v6.requestflow.test."), Type.AAAA).answer()).hasSize(1);
        assertThat(zone.lookup(name("v6.requestflow.test."), Type.A).answer()).isEmpty();
    }

    @Test
    void emptyNonTerminalIsNodataNotNxdomain() {
        Zone.Answer answer = zone.lookup(name("eu.requestflow.test."), Type.A);

        assertThat(answer.rcode()).isEqualTo(Rcode.NOERROR);
        assertThat(answer.answer()).isEmpty();
    }

    @Test
    void unknownNameIsNxdomainWithSoa() {
        Zone.Answer answer = zone.lookup(name("unknown.requestflow.test."), Type.A);

        assertThat(answer.rcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(answer.authoritative()).isTrue();
        assertThat(answer.authority()).singleElement().isInstanceOf(SOARecord.class);
    }

    @Test
    void nameOutsideTheZoneIsRefused() {
        Zone.Answer answer = zone.lookup(name("example.com."), Type.A);

        assertThat(answer.rcode()).isEqualTo(Rcode.REFUSED);
        assertThat(answer.authoritative()).isFalse();
        assertThat(answer.authority()).isEmpty();
    }

    @Test
    void absoluteNamesWithOrWithoutTheDotStayInTheZone() {
        assertThat(zone.lookup(name("abs.requestflow.test."), Type.A).answer()).hasSize(1);
        assertThat(zone.lookup(name("dotless.requestflow.test."), Type.A).answer()).hasSize(1);
    }

    @Test
    void anyReturnsEveryRecordAtTheName() {
        assertThat(zone.lookup(name("requestflow.test."), Type.ANY).answer())
                .extracting(Record::getType).containsExactlyInAnyOrder(Type.SOA, Type.NS);
    }

    @Test
    void badConfigIsNamedInTheError() {
        DnsConfig config = DnsConfig.defaults();
        assertThatThrownBy(() -> Zone.from(config.withRecords(Map.of("shop", List.of("1.2.3")))))
                .hasMessageContaining("dns.records.shop").hasMessageContaining("1.2.3");
        assertThatThrownBy(() -> Zone.from(config.withRecords(Map.of("www.example.com.", List.of("127.0.0.1")))))
                .hasMessageContaining("outside the zone");
    }

    @Test
    void configuredNs1ReplacesTheDefaultGlue() {
        Zone custom = Zone.from(DnsConfig.defaults().withRecords(Map.of("ns1", List.of("127.0.0.53"))));

        assertThat(custom.lookup(name("ns1.requestflow.test."), Type.A).answer())
                .extracting(r -> ((ARecord) r).getAddress().getHostAddress()).containsExactly("127.0.0.53");
    }

    private static Record single(List<Record> records) {
        assertThat(records).hasSize(1);
        return records.get(0);
    }

    static Name name(String text) {
        return Name.fromConstantString(text);
    }
}
