package io.requestflow.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

/** Bad record sets are refused with the offending field named; good ones show up in metrics and the query log. */
class RecordSetConfigTest {

    @Test
    void mistakesNameTheirField() {
        assertThatThrownBy(() -> GeoZone.read("recordSets: [{name: www, policy: fastest, answers: [{values: [127.0.0.1]}]}]"))
                .hasMessageContaining("dns.recordSets[www].policy").hasMessageContaining("weighted");
        assertThatThrownBy(() -> GeoZone.read("recordSets: [{name: www, type: MX, answers: [{values: [\"10 mx\"]}]}]"))
                .hasMessageContaining("dns.recordSets[www].type");
        assertThatThrownBy(() -> GeoZone.read("recordSets: [{name: w, policy: weighted, answers: [{values: [127.0.0.1], weight: 300}]}]"))
                .hasMessageContaining("weight must be 0..255");
        assertThatThrownBy(() -> GeoZone.read("health: {checkers: 0}")).hasMessageContaining("dns.health.checkers");
        assertThatThrownBy(() -> Zone.from(GeoZone.read("recordSets: [{name: shop, type: CNAME, answers: [{values: [www]}]}]")))
                .hasMessageContaining("CNAME and other records");
        assertThatThrownBy(() -> Zone.from(GeoZone.read("recordSets: [{name: sub, type: NS, answers: [{values: [ns.example.]}]}]")))
                .hasMessageContaining("zone apex only");
        assertThatThrownBy(() -> Zone.from(GeoZone.read("recordSets: [{name: x, type: AAAA, answers: [{values: [127.0.0.1]}]}]")))
                .hasMessageContaining("is not an AAAA address");
        assertThatThrownBy(() -> Zone.from(GeoZone.read("recordSets: [{name: x, type: SRV, answers: [{values: [\"ten 5 80 x\"]}]}]")))
                .hasMessageContaining("dns.recordSets[x]").hasMessageContaining("SRV");
        assertThatThrownBy(() -> DnsServer.start(GeoZone.read("port: 0\nrecordSets: [{name: x, answers: "
                + "[{values: [127.0.0.1], healthCheck: \"ftp://h:1\"}]}]"), new SimpleMeterRegistry()))
                .hasMessageContaining("only http:// and tcp:// checks");
    }

    @Test
    void policyDecisionsAndQueriesAreCountedAndLogged() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (DnsServer server = DnsServer.start(GeoZone.config(), registry)) {
            for (int i = 0; i < 20; i++) {
                GeoZone.ask(GeoZone.resolver(server.address(), null), "weighted.requestflow.test.");
            }
            GeoZone.ask(GeoZone.resolver(server.address(), null), "nope.requestflow.test.");
            double decisions = registry.find(DnsMetrics.DECISIONS).tag("policy", "weighted").counters().stream()
                    .mapToDouble(c -> c.count()).sum();
            assertThat(decisions).isEqualTo(20);
            assertThat(registry.find(DnsMetrics.QUERIES).tag("qtype", "A").tag("rcode", "NXDOMAIN").counter())
                    .isNotNull().satisfies(c -> assertThat(c.count()).isEqualTo(1));
        }

        DnsConfig config = GeoZone.config();
        DnsResponder responder = new DnsResponder(Zone.from(config), config);
        DnsResponder.Reply reply = responder.respond(Queries.query("latency.requestflow.test.", Type.A),
                DnsTransport.UDP, new InetSocketAddress("127.0.1.4", 5300));
        assertThat(QueryLogLine.of(new InetSocketAddress("127.0.1.4", 5300), DnsTransport.UDP, reply))
                .contains("client=127.0.1.4", "name=latency.requestflow.test.", "type=A", "rcode=NOERROR",
                        "answer=[A 127.0.0.21]", "policy=latency(latency.requestflow.test.→eu)");
        assertThat(List.of(reply.choices().get(0).chosen())).containsExactly(List.of("eu"));
    }
}
