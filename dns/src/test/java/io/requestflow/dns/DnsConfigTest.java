package io.requestflow.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DnsConfigTest {

    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

    @Test
    void defaultsServeShopOnTheEdgeAddress() {
        DnsConfig config = DnsConfig.defaults("127.0.0.9");

        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(5353);
        assertThat(config.zone()).isEqualTo("requestflow.test");
        assertThat(config.ttlSeconds()).isEqualTo(30);
        assertThat(config.negativeTtlSeconds()).isEqualTo(30);
        assertThat(config.records()).containsExactly(Map.entry("shop", List.of("127.0.0.9")));
        assertThat(config.maxTcpMessageSize()).isEqualTo(65535);
        assertThat(config.udpPayloadSize()).isEqualTo(512);
        assertThat(config.ednsMaxPayload()).isEqualTo(1232);
        assertThat(config.tcpIdleTimeoutSeconds()).isEqualTo(10);
    }

    @Test
    void anEmptySectionIsTheDefaults() throws Exception {
        assertThat(yaml.readValue("{}", DnsConfig.class)).isEqualTo(DnsConfig.defaults());
    }

    @Test
    void readsATopologySectionInCamelCase() throws Exception {
        String section = """
                host: 127.0.0.2
                port: 0
                zone: example.test
                ttlSeconds: 5
                negativeTtlSeconds: 7
                records:
                  shop: [127.0.0.3, "::1"]
                  "@": [127.0.0.4]
                ednsMaxPayload: 1400
                """;

        DnsConfig config = yaml.readValue(section, DnsConfig.class);

        assertThat(config.host()).isEqualTo("127.0.0.2");
        assertThat(config.port()).as("0 means ephemeral, not 'missing'").isZero();
        assertThat(config.zone()).isEqualTo("example.test");
        assertThat(config.ttlSeconds()).isEqualTo(5);
        assertThat(config.negativeTtlSeconds()).isEqualTo(7);
        assertThat(config.records()).containsExactly(
                Map.entry("shop", List.of("127.0.0.3", "::1")), Map.entry("@", List.of("127.0.0.4")));
        assertThat(config.ednsMaxPayload()).isEqualTo(1400);
        assertThat(config.udpPayloadSize()).as("left out, so default").isEqualTo(512);
    }

    @Test
    void rejectsValuesThatCannotWork() {
        DnsConfig ok = DnsConfig.defaults();
        assertThatThrownBy(() -> ok.withPort(70000)).hasMessageContaining("dns.port");
        assertThatThrownBy(() -> ok.withRecords(Map.of("shop", List.of())))
                .hasMessageContaining("dns.records.shop");
        assertThatThrownBy(() -> yaml.readValue("ednsMaxPayload: 100", DnsConfig.class))
                .hasMessageContaining("dns.ednsMaxPayload");
        assertThatThrownBy(() -> yaml.readValue("ttlSecond: 5", DnsConfig.class))
                .as("a misspelt key is an error, not a silent default")
                .hasMessageContaining("ttlSecond");
    }

    @Test
    void recordsCannotBeChangedAfterwards() {
        DnsConfig config = DnsConfig.defaults();
        assertThatThrownBy(() -> config.records().put("x", List.of("127.0.0.1")))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
