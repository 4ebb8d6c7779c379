package io.requestflow.cli;

import io.requestflow.engine.net.HostPort;
import io.requestflow.topology.Topology;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./flow dns reload|health}: talks to a running dns hop's admin port. */
@Command(name = "dns", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Manage a running dns hop through its admin port.",
                "  reload   read the zone from the topology file again (serial goes up, no restart)",
                "  health   the health-checked answer targets and their state"})
public final class DnsCommand implements Callable<Integer> {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Parameters(index = "0", paramLabel = "ACTION", description = "reload or health")
    String action;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Topology file, for the admin port (default: config/topology.yaml)")
    Path config;

    @Option(names = "--admin", paramLabel = "ADDR:PORT", description = "The dns admin address (default: from the topology)")
    String admin;

    @Override
    public Integer call() throws Exception {
        HostPort address = adminAddress();
        try {
            HttpResponse<String> response = switch (action) {
                case "reload" -> AdminPort.post(address, "/dns/reload", TIMEOUT);
                case "health" -> AdminPort.get(address, "/dns/health", TIMEOUT);
                default -> throw new IllegalArgumentException("unknown action '" + action + "'; use reload or health");
            };
            System.out.println(response.body());
            return response.statusCode() == 200 ? 0 : 1;
        } catch (IOException e) {
            throw new IllegalStateException("no dns admin answering at " + address
                    + " (is ./flow up or ./flow serve --role dns running? --admin ADDR:PORT picks another)", e);
        }
    }

    private HostPort adminAddress() {
        if (admin != null) {
            return HostPort.parse(admin);
        }
        Topology t = AdminPort.topology(config);
        return new HostPort(t.dns.host(), t.dnsAdminPort);
    }
}
