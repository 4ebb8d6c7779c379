package io.requestflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.requestflow.engine.http.Json;
import io.requestflow.engine.net.HostPort;
import io.requestflow.topology.Topology;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ./flow faults}: what is broken on purpose right now, instance by instance. */
@Command(name = "faults", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"List the faults injected with `./flow break` in the running topology.",
                "Instances that do not answer are listed as not running."})
public final class FaultsCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "Topology file `up` was started with (default: config/topology.yaml)")
    Path config;

    @Override
    public Integer call() throws Exception {
        Topology t = AdminPort.topology(config);
        int broken = 0;
        int answering = 0;
        for (Map.Entry<String, HostPort> e : HopAdmins.withScaledGateways(t).entrySet()) {
            String line;
            try {
                JsonNode state = Json.tree(AdminPort.get(e.getValue(), "/faults", AdminPort.DEFAULT_TIMEOUT).body()
                        .getBytes(StandardCharsets.UTF_8));
                answering++;
                JsonNode fault = state.get("fault");
                if (fault == null || fault.isNull()) {
                    line = "ok";
                } else {
                    broken++;
                    line = "BROKEN " + fault;
                }
            } catch (java.io.IOException notRunning) {
                line = "not running";
            }
            System.out.printf("%-20s %-22s %s%n", e.getKey(), e.getValue(), line);
        }
        try {
            JsonNode stores = Json.tree(AdminPort.get(HopAdmins.upProcess(t), "/data", AdminPort.DEFAULT_TIMEOUT).body()
                    .getBytes(StandardCharsets.UTF_8));
            for (String store : io.requestflow.topology.DataFaults.STORES) {
                String state = stores.path(store).asText("");
                if (state.isEmpty()) continue;
                boolean fine = state.equals("ok") || state.equals("none") || state.equals("external");
                if (!fine) broken++;
                System.out.printf("%-20s %-22s %s%n", store, "(embedded by up)", fine ? state : "BROKEN " + state);
            }
        } catch (java.io.IOException | RuntimeException notUp) {
            // not an `up` process (serve, or nothing): no embedded stores to report
        }
        if (answering == 0) {
            System.out.println("no hop answered: is `./flow up` running with this config?");
            return 1;
        }
        System.out.println(broken == 0 ? "nothing is broken" : broken + " broken; `./flow heal --all` ends them");
        return 0;
    }
}
