package io.requestflow.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server as the everyday tool sees it: {@code dig} (skipped where it is not installed, unless
 * {@code REQUESTFLOW_DIG_TESTS=required}, as CI sets it after {@code dns/src/test/install.sh}).
 */
class DigTest {

    private static final Path DIG = Path.of("/usr/bin/dig");
    private static DnsServer server;

    @BeforeAll
    static void start() {
        if ("required".equals(System.getenv("REQUESTFLOW_DIG_TESTS"))) {
            assertThat(Files.isExecutable(DIG)).as("REQUESTFLOW_DIG_TESTS=required but " + DIG + " is missing"
                    + " (dns/src/test/install.sh installs it)").isTrue();
        }
        assumeTrue(Files.isExecutable(DIG), "dig is not installed (dns/src/test/install.sh installs it)");
        server = DnsServer.start(GeoZone.config(), new SimpleMeterRegistry());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everyTypeAndRcode() throws Exception {
        assertThat(dig("shop.requestflow.test", "A")).contains("status: NOERROR").contains("flags: qr aa rd;")
                .contains("127.0.0.1");
        assertThat(dig("shop.requestflow.test", "AAAA")).contains("::1");
        assertThat(dig("alias.requestflow.test", "A")).contains("CNAME").contains("127.0.0.1");
        assertThat(dig("requestflow.test", "NS")).contains("ns1.requestflow.test.").contains("ns2.example.net.");
        assertThat(dig("requestflow.test", "SOA")).contains("hostmaster.requestflow.test.");
        assertThat(dig("requestflow.test", "TXT")).contains("v=spf1 -all");
        assertThat(dig("_http._tcp.shop.requestflow.test", "SRV")).contains("10 5 8080 shop.requestflow.test.");
        assertThat(dig("requestflow.test", "CAA")).contains("issue \"letsencrypt.org\"");
        assertThat(dig("nope.requestflow.test", "A")).contains("status: NXDOMAIN").contains("AUTHORITY: 1");
        assertThat(dig("shop.requestflow.test", "MX")).contains("status: NOERROR").contains("ANSWER: 0")
                .contains("AUTHORITY: 1");
        assertThat(dig("example.com", "A")).contains("status: REFUSED");
        assertThat(dig("shop.requestflow.test", "A", "+opcode=status")).contains("status: NOTIMP");
        assertThat(dig("shop.requestflow.test", "A", "+edns=1", "+noednsnegotiation")).contains("status: BADVERS");
    }

    @Test
    void truncatedOverUdpThenComplete() throws Exception {
        assertThat(dig("big.requestflow.test", "TXT", "+ignore", "+bufsize=512")).contains("flags: qr aa tc rd;");
        assertThat(dig("big.requestflow.test", "TXT", "+bufsize=512")).contains("ANSWER: 40")
                .as("dig retries over TCP after TC").contains("(TCP)");
    }

    @Test
    void clientSubnetIsAnsweredWithAScope() throws Exception {
        assertThat(dig("latency.requestflow.test", "A", "+subnet=127.0.1.0/24"))
                .contains("127.0.0.21").contains("CLIENT-SUBNET: 127.0.1.0/24/24");
        assertThat(dig("latency.requestflow.test", "A", "+subnet=127.0.3.0/24")).contains("127.0.0.23");
    }

    private static String dig(String name, String type, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(DIG.toString(), "@127.0.0.1", "-p",
                Integer.toString(server.address().getPort()), "+time=2", "+tries=1", name, type));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
