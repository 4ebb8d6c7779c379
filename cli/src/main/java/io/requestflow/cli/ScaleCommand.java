package io.requestflow.cli;

import io.requestflow.engine.net.HostPort;
import io.requestflow.topology.Topology;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code ./flow scale gateway N}: asks the running {@code up} process to run N gateway instances. */
@Command(name = "scale", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Change how many instances of a role the running `./flow up` runs.",
                "New instances register with the balancer and take traffic once healthy;",
                "removed ones drain first (in-flight requests finish), then stop.",
                "Talks to the balancer's admin port (POST /scale).",
                "",
                "Example: ./flow scale gateway 4"})
public final class ScaleCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ROLE", description = "The role to scale (gateway)")
    String role;

    @Parameters(index = "1", paramLabel = "N", description = "Instances wanted (1-64)")
    int instances;

    @Option(names = "--config", paramLabel = "FILE", description = "Topology file `up` was started with (default: config/topology.yaml)")
    Path config;

    @Option(names = "--admin", paramLabel = "HOST:PORT", description = "The balancer's admin address (default: from the topology)")
    String admin;

    @Override
    public Integer call() throws Exception {
        if (!"gateway".equals(role)) throw new IllegalArgumentException("only 'gateway' can be scaled, not '" + role + "'");
        HostPort target = admin != null ? HostPort.parse(admin) : balancerAdmin(AdminPort.topology(config));
        HttpResponse<String> response;
        try {
            // Scaling waits for new instances to pass health checks, or old ones to drain.
            response = AdminPort.post(target, "/scale?role=gateway&instances=" + instances, Duration.ofSeconds(30));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot reach the balancer admin port at " + target
                    + " (is `./flow up` running with this config?): " + e.getMessage(), e);
        }
        if (response.statusCode() == 404) {
            throw new IllegalStateException(target + " answers, but has no /scale: scaling works against `./flow up`,"
                    + " not a balancer started with `serve` (use POST/DELETE /targets there)");
        }
        System.out.println(response.body());
        return response.statusCode() == 200 ? 0 : 1;
    }

    private static HostPort balancerAdmin(Topology t) {
        return new HostPort(t.bind, t.balancer.adminPortOrDefault());
    }
}
