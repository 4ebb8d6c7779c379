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
                "  ./flow heal redis                # starts it again on its port",
                "  ./flow heal --all"})
public final class HealCommand implements Callable<Integer> {
    @Parameters(paramLabel = "INSTANCE", arity = "0..*", description = "Instances to heal (see ./flow faults)")
    List<String> instances = List.of();

    @Option(names = "--all", description = "Every hop instance of the topology that answers, and the data stores")
    boolean all;

    @Option(names = "--config", paramLabel = "FILE", description = "Topology file `up` was started with (default: config/topology.yaml)")
    Path config;

    @Option(names = "--admin", paramLabel = "HOST:PORT",
            description = "The admin address to call instead of the topology's (for redis and replica: the balancer's)")
    String admin;

    @Override
    public Integer call() throws Exception {
        if (instances.isEmpty() && !all) throw new IllegalArgumentException("name the instances to heal, or --all");
        if (all && admin != null) throw new IllegalArgumentException("--all heals the topology's instances; drop --admin");
        Topology t = admin != null ? null : AdminPort.topology(config);
        if (all) {
            int healed = 0;
            for (Map.Entry<String, HostPort> e : HopAdmins.running(t).entrySet()) {
                AdminPort.call(e.getValue(), "DELETE", "/faults", e.getKey());
                healed++;
            }
            for (String store : io.requestflow.topology.DataFaults.STORES) {
                try {
                    healDataStore(HopAdmins.upProcess(t), store);
                } catch (RuntimeException notHere) {
                    // no `up` process with embedded stores (or none of this one): nothing to heal there
                }
            }
            System.out.println("healed " + healed + " instances and the data stores");
            return 0;
        }
        for (String name : instances) {
            boolean store = HopAdmins.isDataStore(name);
            HostPort target = admin != null ? HostPort.parse(admin) : store ? HopAdmins.upProcess(t) : HopAdmins.find(t, name);
            System.out.println(store ? healDataStore(target, name) : AdminPort.call(target, "DELETE", "/faults", name).body());
        }
        return 0;
    }

    private static String healDataStore(HostPort upProcess, String store) throws InterruptedException {
        return AdminPort.call(upProcess, "POST", "/data?store=" + store + "&action=heal", "`./flow up`").body();
    }
}
