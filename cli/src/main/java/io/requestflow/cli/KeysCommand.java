package io.requestflow.cli;

import io.requestflow.engine.http.Json;
import io.requestflow.engine.net.HostPort;
import io.requestflow.topology.Topology;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code ./flow keys rotate}: rotate the auth service's token signing keys. */
@Command(name = "keys", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Manage the auth service's token signing keys.",
        subcommands = KeysCommand.Rotate.class)
public final class KeysCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = {"Make the pre-published next key active, publish a new next key, and keep the old",
                    "key in the JWKS until the tokens it signed have expired (token TTL + 60 s).",
                    "Asks a running auth service (admin port). The keys live in PostgreSQL, so every other",
                    "auth instance signs with the new key within a second."})
    static final class Rotate implements Callable<Integer> {
        @Option(names = "--config", paramLabel = "FILE", description = "Topology file (default: config/topology.yaml)")
        Path config;

        @Option(names = "--admin", paramLabel = "ADDR:PORT", description = "Auth admin address (default: from the topology)")
        String admin;

        @Override
        public Integer call() throws Exception {
            Topology t = AdminPort.topology(config);
            HostPort address = AdminPort.auth(t, admin);
            try {
                var response = AdminPort.post(address, "/keys/rotate", AdminPort.DEFAULT_TIMEOUT);
                if (response.statusCode() != 200) {
                    System.err.println("keys rotate: auth at " + address + " answered " + response.statusCode() + ": " + response.body());
                    return 1;
                }
                var body = Json.MAPPER.readTree(response.body());
                System.out.println("rotated via the auth service at " + address + "; active key: " + body.path("active").asText());
                return 0;
            } catch (IOException e) {
                System.err.println("keys rotate: the auth service's admin port " + address + " did not answer ("
                        + e.getClass().getSimpleName() + "); is `./flow up` running? (or name one with --admin)");
                return 1;
            }
        }
    }
}
