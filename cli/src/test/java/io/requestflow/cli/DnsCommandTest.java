package io.requestflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.net.HostPort;
import io.requestflow.topology.DnsHop;
import io.requestflow.topology.Roles;
import io.requestflow.topology.Topology;
import io.requestflow.topology.TopologyLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;
import picocli.CommandLine;

/** {@code ./flow dns reload}: edit the topology file, reload, and the running dns hop answers the new zone. */
class DnsCommandTest {

    @Test
    void reloadServesTheEditedTopologyFileWithoutARestart(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("topology.yaml");
        Files.writeString(file, "dns:\n  port: 0\n  records:\n    shop: [127.0.0.1]\ndnsAdminPort: 0\n");
        Topology topology = TopologyLoader.load(file, true);
        topology.source = file;
        try (Engine engine = new Engine(1, 10);
             DnsHop dns = new Roles(engine, topology, dir).dns("dns-1", topology.dns, HostPort.parse("127.0.0.1:0"))) {
            SimpleResolver resolver = new SimpleResolver(dns.server().address());
            assertThat(rcode(resolver, "new.requestflow.test.")).isEqualTo(Rcode.NXDOMAIN);

            Files.writeString(file, "dns:\n  port: 0\n  records:\n    shop: [127.0.0.1]\n    new: [127.0.0.77]\n"
                    + "dnsAdminPort: 0\n");
            String admin = "127.0.0.1:" + dns.admin().address().getPort();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream stdout = System.out;
            System.setOut(new PrintStream(out, true));
            int code;
            try {
                code = new CommandLine(new Flow()).execute("dns", "reload", "--admin", admin);
            } finally {
                System.setOut(stdout);
            }
            assertThat(code).isZero();
            assertThat(out.toString()).contains("\"serial\"").contains("previousSerial");
            assertThat(rcode(resolver, "new.requestflow.test.")).isEqualTo(Rcode.NOERROR);

            Files.writeString(file, "dns:\n  records:\n    shop: [not-an-address]\n");
            int bad = new CommandLine(new Flow()).execute("dns", "reload", "--admin", admin);
            assertThat(bad).as("a broken file is refused").isEqualTo(1);
            assertThat(rcode(resolver, "new.requestflow.test.")).as("and the old zone keeps serving")
                    .isEqualTo(Rcode.NOERROR);
        }
    }

    private static int rcode(SimpleResolver resolver, String name) throws Exception {
        Message response = resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A,
                org.xbill.DNS.DClass.IN)));
        return response.getRcode();
    }
}
