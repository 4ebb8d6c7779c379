package io.requestflow.cli;

import io.requestflow.engine.net.HostPort;
import io.requestflow.topology.Topology;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ./flow heal INSTANCE… | --all}: ends injected faults at once. */
@Command(name = "heal", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"End faults injected with `./flow break`, before they expire by themselves.",
                "",
                "Examples:",
                "  ./flow heal gateway-2",
                "  ./flow heal --all"})
public final class HealCommand implements Callable<Integer> {
    @Parameters(paramLabel = "INSTANCE", arity = "0..*", description = "Instances to heal (see ./flow faults)")
    List<String> instances = List.of();

    @Option(names = "--all", description = "Every hop instance of the topology that answers")
    boolean all;

    @Option(names = "--config", paramLabel = "FILE", description = "Topology file `up` was started with (default: config/topology.yaml)")
    Path config;

    @Option(names = "--admin", paramLabel = "HOST:PORT", description = "One instance's admin address (instead of a name)")
    String admin;

    @Override
    public Integer call() throws Exception {
        if (admin != null) {
            System.out.println(AdminPort.call(HostPort.parse(admin), "DELETE", "/faults", admin).body());
            return 0;
        }
        if (instances.isEmpty() && !all) throw new IllegalArgumentException("name the instances to heal, or --all");
        Topology t = AdminPort.topology(config);
        if (all) {
            int healed = 0;
            for (Map.Entry<String, HostPort> e : FaultsCommand.running(t).entrySet()) {
                AdminPort.call(e.getValue(), "DELETE", "/faults", e.getKey());
                healed++;
            }
            System.out.println("healed " + healed + " instances");
            return 0;
        }
        for (String name : instances) {
            System.out.println(AdminPort.call(HopAdmins.find(t, name), "DELETE", "/faults", name).body());
        }
        return 0;
    }
}
