package io.requestflow.dns;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** A zone with every record type and every routing policy, written the way an operator writes topology.yaml. */
final class GeoZone {

    static final String YAML = """
            port: 0
            rateLimit: {responsesPerSecond: 0}
            records:
              shop: [127.0.0.1, "::1"]
            recordSets:
              - {name: www, type: CNAME, answers: [{values: [shop]}]}
              - {name: alias, type: CNAME, answers: [{values: [www]}]}
              - {name: away, type: CNAME, answers: [{values: [elsewhere.example.com.]}]}
              - {name: dangling, type: CNAME, answers: [{values: [nothing-here]}]}
              - {name: loop1, type: CNAME, answers: [{values: [loop2]}]}
              - {name: loop2, type: CNAME, answers: [{values: [loop1]}]}
              - {name: "@", type: NS, answers: [{values: [ns2.example.net.]}]}
              - {name: "@", type: TXT, answers: [{values: ['"v=spf1 -all"', '"hello world"']}]}
              - {name: _http._tcp.shop, type: SRV, answers: [{values: ["10 5 8080 shop"]}]}
              - {name: "@", type: CAA, answers: [{values: ['0 issue "letsencrypt.org"']}]}
              - {name: big, type: TXT, answers: [{values: [%s]}]}
              - name: weighted
                policy: weighted
                answers:
                  - {id: blue, values: [127.0.0.11], weight: 200}
                  - {id: green, values: [127.0.0.12], weight: 55}
                  - {id: off, values: [127.0.0.13], weight: 0}
              - name: latency
                policy: latency
                answers:
                  - {id: eu, values: [127.0.0.21], region: eu-west}
                  - {id: us, values: [127.0.0.22], region: us-east}
                  - {id: ap, values: [127.0.0.23], region: ap-south}
              - name: geo
                policy: geolocation
                answers:
                  - {id: ireland-region, values: [127.0.0.31], location: "region:eu-west"}
                  - {id: india, values: [127.0.0.32], location: "country:IN"}
                  - {id: north-america, values: [127.0.0.33], location: "continent:NA"}
                  - {id: default, values: [127.0.0.34], location: "*"}
              - name: fo
                policy: failover
                answers:
                  - {id: primary, values: [127.0.0.41], failover: primary}
                  - {id: secondary, values: [127.0.0.42], failover: secondary}
              - name: multi
                policy: multivalue
                answers: [%s]
            """;

    private GeoZone() {}

    static DnsConfig config() {
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            big.append(i == 0 ? "" : ", ").append("'\"").append("x".repeat(40)).append(i).append("\"'");
        }
        StringBuilder multi = new StringBuilder();
        for (int i = 1; i <= 12; i++) {
            multi.append(i == 1 ? "" : ", ").append("{values: [127.0.0.").append(50 + i).append("]}");
        }
        return read(YAML.formatted(big, multi));
    }

    static DnsConfig read(String yaml) {
        try {
            return new ObjectMapper(new YAMLFactory()).configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                    true).readValue(yaml, DnsConfig.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** dnsjava's resolver against the server, from a chosen local address (127.0.1.x stands in for eu-west). */
    static SimpleResolver resolver(InetSocketAddress server, String from) {
        SimpleResolver resolver = new SimpleResolver(server);
        resolver.setTimeout(Duration.ofSeconds(2));
        if (from != null) {
            try {
                resolver.setLocalAddress(InetAddress.getByName(from));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return resolver;
    }

    static Message ask(SimpleResolver resolver, String name, int type) {
        try {
            return resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name), type,
                    org.xbill.DNS.DClass.IN)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Message ask(SimpleResolver resolver, String name) {
        return ask(resolver, name, Type.A);
    }
}
