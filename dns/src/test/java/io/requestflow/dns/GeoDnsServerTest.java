package io.requestflow.dns;

import static io.requestflow.dns.GeoZone.ask;
import static io.requestflow.dns.GeoZone.resolver;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CAARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/** The GeoDNS server through dnsjava's real resolver: every record type, every policy, ECS, truncation, reload. */
class GeoDnsServerTest {

    private static DnsServer server;
    private static SimpleResolver local;

    @BeforeAll
    static void start() {
        server = DnsServer.start(GeoZone.config(), new SimpleMeterRegistry());
        local = resolver(server.address(), null);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void servesEveryRecordTypeAuthoritatively() {
        Message a = ask(local, "shop.requestflow.test.");
        assertThat(a.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(a.getSection(Section.ANSWER)).singleElement().isInstanceOf(ARecord.class);
        assertThat(ask(local, "shop.requestflow.test.", Type.AAAA).getSection(Section.ANSWER)).hasSize(1);
        assertThat(ask(local, "requestflow.test.", Type.SOA).getSection(Section.ANSWER))
                .singleElement().isInstanceOf(SOARecord.class);
        assertThat(ask(local, "requestflow.test.", Type.NS).getSection(Section.ANSWER))
                .hasSize(2).allMatch(r -> r instanceof NSRecord);
        assertThat(ask(local, "requestflow.test.", Type.TXT).getSection(Section.ANSWER))
                .hasSize(2).allMatch(r -> r instanceof TXTRecord);
        SRVRecord srv = (SRVRecord) ask(local, "_http._tcp.shop.requestflow.test.", Type.SRV)
                .getSection(Section.ANSWER).get(0);
        assertThat(srv.getPort()).isEqualTo(8080);
        assertThat(srv.getTarget()).isEqualTo(name("shop.requestflow.test."));
        CAARecord caa = (CAARecord) ask(local, "requestflow.test.", Type.CAA).getSection(Section.ANSWER).get(0);
        assertThat(caa.getValue()).isEqualTo("letsencrypt.org");
    }

    @Test
    void followsCnameChainsInsideTheZoneOnly() {
        List<Record> chain = ask(local, "alias.requestflow.test.").getSection(Section.ANSWER);
        assertThat(chain).hasSize(3);
        assertThat(chain.get(0)).isInstanceOf(CNAMERecord.class);
        assertThat(chain.get(1)).isInstanceOf(CNAMERecord.class);
        assertThat(chain.get(2)).isInstanceOf(ARecord.class);
        assertThat(chain.get(2).getName()).isEqualTo(name("shop.requestflow.test."));

        Message away = ask(local, "away.requestflow.test.");
        assertThat(away.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(away.getSection(Section.ANSWER)).singleElement().isInstanceOf(CNAMERecord.class);

        Message dangling = ask(local, "dangling.requestflow.test.");
        assertThat(dangling.getRcode()).as("RFC 6604: the rcode of the chain's end").isEqualTo(Rcode.NXDOMAIN);
        assertThat(dangling.getSection(Section.AUTHORITY)).singleElement().isInstanceOf(SOARecord.class);

        Message loop = ask(local, "loop1.requestflow.test.");
        assertThat(loop.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(loop.getSection(Section.ANSWER)).hasSizeBetween(2, Zone.MAX_CNAME_HOPS + 1);

        assertThat(ask(local, "www.requestflow.test.", Type.CNAME).getSection(Section.ANSWER))
                .as("asking for the CNAME itself does not follow it").hasSize(1);
    }

    @Test
    void negativeAnswersCarryTheSoaAndOutsideNamesAreRefused() {
        Message nx = ask(local, "nope.requestflow.test.");
        assertThat(nx.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(nx.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(nx.getSection(Section.AUTHORITY)).singleElement().isInstanceOf(SOARecord.class);
        Message nodata = ask(local, "shop.requestflow.test.", Type.TXT);
        assertThat(nodata.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(nodata.getSection(Section.ANSWER)).isEmpty();
        assertThat(nodata.getSection(Section.AUTHORITY)).singleElement().isInstanceOf(SOARecord.class);
        Message refused = ask(local, "www.example.com.");
        assertThat(refused.getRcode()).isEqualTo(Rcode.REFUSED);
        assertThat(refused.getHeader().getFlag(Flags.RA)).as("never recursive").isFalse();
    }

    @Test
    void anAnswerTooBigForUdpIsTruncatedAndTheResolverGetsItOverTcp() throws IOException {
        Message query = Message.newQuery(Record.newRecord(name("big.requestflow.test."), Type.TXT, DClass.IN));
        byte[] raw = Queries.udp(server.address(), query.toWire());
        Message truncated = new Message(raw);
        assertThat(truncated.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(truncated.getSection(Section.ANSWER)).isEmpty();

        Message full = ask(local, "big.requestflow.test.", Type.TXT); // dnsjava retries over TCP on TC
        assertThat(full.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(full.getSection(Section.ANSWER)).hasSize(40);
    }

    @Test
    void udpAndTcpGiveIdenticalAnswers() throws IOException {
        SimpleResolver tcp = resolver(server.address(), null);
        tcp.setTCP(true);
        for (String name : List.of("shop", "alias", "nope", "geo", "latency", "fo")) {
            for (int type : new int[] {Type.A, Type.AAAA, Type.TXT, Type.NS}) {
                Message overUdp = ask(local, name + ".requestflow.test.", type);
                Message overTcp = ask(tcp, name + ".requestflow.test.", type);
                assertThat(overTcp.getRcode()).isEqualTo(overUdp.getRcode());
                assertThat(overTcp.getSection(Section.ANSWER)).isEqualTo(overUdp.getSection(Section.ANSWER));
                assertThat(overTcp.getSection(Section.AUTHORITY)).isEqualTo(overUdp.getSection(Section.AUTHORITY));
            }
        }
    }

    @Test
    void weightedAnswersFollowTheWeightsWithinStatisticalTolerance() {
        int n = 2000;
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String address = first(ask(local, "weighted.requestflow.test."));
            counts.merge(address, 1, Integer::sum);
        }
        // blue: p = 200/255; binomial sd over 2000 = ~18.4; allow 5 sd
        double expected = n * 200.0 / 255;
        assertThat(counts.getOrDefault("127.0.0.11", 0)).isBetween((int) (expected - 92), (int) (expected + 92));
        assertThat(counts.getOrDefault("127.0.0.13", 0)).as("weight 0 is never chosen").isZero();
        assertThat(counts.keySet()).containsOnly("127.0.0.11", "127.0.0.12");
    }

    @Test
    void latencyRoutingPicksTheClosestRegionBySourceAddress() {
        assertThat(first(ask(resolver(server.address(), "127.0.1.9"), "latency.requestflow.test.")))
                .isEqualTo("127.0.0.21");
        assertThat(first(ask(resolver(server.address(), "127.0.2.9"), "latency.requestflow.test.")))
                .isEqualTo("127.0.0.22");
        assertThat(first(ask(resolver(server.address(), "127.0.3.9"), "latency.requestflow.test.")))
                .isEqualTo("127.0.0.23");
        assertThat(first(ask(local, "latency.requestflow.test.")))
                .as("127.0.0.1 is in no range: the default region, us-east").isEqualTo("127.0.0.22");
    }

    @Test
    void geolocationPicksTheMostSpecificMatchElseTheDefault() {
        assertThat(first(ask(resolver(server.address(), "127.0.1.5"), "geo.requestflow.test.")))
                .as("region match beats everything").isEqualTo("127.0.0.31");
        assertThat(first(ask(resolver(server.address(), "127.0.3.5"), "geo.requestflow.test.")))
                .as("ap-south is in IN: country match").isEqualTo("127.0.0.32");
        assertThat(first(ask(resolver(server.address(), "127.0.2.5"), "geo.requestflow.test.")))
                .as("us-east is in NA: continent match").isEqualTo("127.0.0.33");
        assertThat(first(withSubnet("geo.requestflow.test.", "81.2.69.0", 24)))
                .as("GeoLite2 places this subnet in GB: in Europe, so in the eu-west region").isEqualTo("127.0.0.31");
        assertThat(first(withSubnet("geo.requestflow.test.", "200.160.0.0", 24)))
                .as("GeoLite2 places this subnet in BR: no region, country or continent fits, so the default")
                .isEqualTo("127.0.0.34");
    }

    @Test
    void clientSubnetDecidesAndTheAnswerCarriesTheScope() {
        Message response = withSubnet("latency.requestflow.test.", "127.0.1.0", 24);
        assertThat(first(response)).as("ECS says eu-west though the source is 127.0.0.1").isEqualTo("127.0.0.21");
        ClientSubnetOption echoed = ecs(response);
        assertThat(echoed.getSourcePrefixLength()).isEqualTo(24);
        assertThat(echoed.getScopePrefixLength()).as("the range 127.0.1.0/24 decided").isEqualTo(24);

        ClientSubnetOption unscoped = ecs(withSubnet("shop.requestflow.test.", "127.0.1.0", 24));
        assertThat(unscoped.getScopePrefixLength()).as("a simple answer is the same for everyone").isZero();

        Message us = withSubnet("latency.requestflow.test.", "8.8.8.0", 24);
        assertThat(first(us)).as("GeoLite2: 8.8.8.0/24 is in the US").isEqualTo("127.0.0.22");
        assertThat(ecs(us).getScopePrefixLength()).isBetween(1, 24);
    }

    @Test
    void failoverAnswersThePrimaryWhileHealthy() {
        assertThat(first(ask(local, "fo.requestflow.test."))).isEqualTo("127.0.0.41");
    }

    @Test
    void multivalueGivesUpToEightShuffled() {
        Set<String> orders = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            List<Record> answer = ask(local, "multi.requestflow.test.").getSection(Section.ANSWER);
            assertThat(answer).hasSize(8);
            orders.add(answer.toString());
        }
        assertThat(orders).as("shuffled per query").hasSizeGreaterThan(5);
    }

    @Test
    void namesAreCaseInsensitiveAndAnsweredInTheAskersSpelling() {
        Message mixed = ask(local, "ShOp.RequestFlow.TEST.");
        assertThat(mixed.getSection(Section.ANSWER)).singleElement()
                .satisfies(r -> assertThat(r.getName().toString()).isEqualTo("ShOp.RequestFlow.TEST."));
        Message again = ask(local, "sHoP.rEQUESTFLOW.test."); // now from the answer cache
        assertThat(again.getSection(Section.ANSWER)).singleElement()
                .satisfies(r -> assertThat(r.getName().toString()).isEqualTo("sHoP.rEQUESTFLOW.test."));
        assertThat(again.getQuestion().getName().toString()).isEqualTo("sHoP.rEQUESTFLOW.test.");
    }

    @Test
    void reloadServesTheNewZoneWithAHigherSerial() throws Exception {
        try (DnsServer own = DnsServer.start(GeoZone.config(), new SimpleMeterRegistry())) {
            SimpleResolver r = resolver(own.address(), null);
            long before = ((SOARecord) ask(r, "requestflow.test.", Type.SOA).getSection(Section.ANSWER).get(0))
                    .getSerial();
            assertThat(ask(r, "new.requestflow.test.").getRcode()).isEqualTo(Rcode.NXDOMAIN);
            own.reload(own.config().withRecords(Map.of("shop", List.of("127.0.0.1"), "new", List.of("127.0.0.99"))));
            assertThat(first(ask(r, "new.requestflow.test."))).isEqualTo("127.0.0.99");
            long after = ((SOARecord) ask(r, "requestflow.test.", Type.SOA).getSection(Section.ANSWER).get(0))
                    .getSerial();
            assertThat(after).isGreaterThan(before);
        }
    }

    private static Message withSubnet(String qname, String subnet, int prefix) {
        try {
            Message query = Message.newQuery(Record.newRecord(name(qname), Type.A, DClass.IN));
            query.addRecord(new OPTRecord(1232, 0, 0, 0,
                    List.of(new ClientSubnetOption(prefix, InetAddress.getByName(subnet)))), Section.ADDITIONAL);
            return new Message(Queries.udp(server.address(), query.toWire()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static ClientSubnetOption ecs(Message response) {
        List<EDNSOption> options = response.getOPT().getOptions(EDNSOption.Code.CLIENT_SUBNET);
        assertThat(options).hasSize(1);
        return (ClientSubnetOption) options.get(0);
    }

    private static String first(Message response) {
        assertThat(response.getRcode()).isEqualTo(Rcode.NOERROR);
        return response.getSection(Section.ANSWER).stream().filter(r -> r instanceof ARecord)
                .map(r -> ((ARecord) r).getAddress().getHostAddress()).findFirst().orElseThrow();
    }

    private static Name name(String text) {
        return Name.fromConstantString(text);
    }
}
