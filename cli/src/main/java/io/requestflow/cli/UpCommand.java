package io.requestflow.cli;

import io.requestflow.topology.Stack;
import io.requestflow.topology.Topology;
import io.requestflow.topology.TopologyLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code ./flow up}: the whole topology in one process until Ctrl-C. */
@Command(name = "up", mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {"Start the whole topology in one process.",
                "Embedded PostgreSQL, Redis and Kafka, the services, gateways, balancer, firewall, edge and DNS,",
                "each on its own port, and the web console (http://127.0.0.1:9900/ by default).",
                "Stops cleanly on Ctrl-C or SIGTERM."})
public final class UpCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE",
            description = "Topology file (default: config/topology.yaml if present, else built-in defaults)")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where data lives (default: var/ or the config's dataDir)")
    Path dataDir;

    @Option(names = "--products", paramLabel = "N", description = "Catalog size to generate (default 10000)")
    Integer products;

    @Option(names = "--wan", paramLabel = "EDGE[:ORIGIN]",
            description = {"Put the edge in region EDGE (and the origin, the firewall and all behind it, in ORIGIN)"
                    + " behind user-space WAN links that delay each client by its region's round trip from"
                    + " dns.latencyMs (the wan section of the topology; e.g. --wan eu-west:us-east)."})
    String wan;

    @Override
    public Integer call() throws Exception {
        Path file = config != null ? config : Flow.home().resolve("config/topology.yaml");
        Topology topology = TopologyLoader.load(file, config != null);
        topology.edge.resolveCertificatePaths(Flow.home());
        if (java.nio.file.Files.exists(file)) topology.source = file;
        if (products != null) topology.catalogProducts = products;
        if (wan != null) {
            String[] regions = wan.split(":", 2);
            topology.wan.enabled = true;
            topology.wan.edgeRegion = regions[0].isBlank() ? null : regions[0];
            topology.wan.originRegion = regions.length > 1 && !regions[1].isBlank() ? regions[1] : null;
        }
        Path data = dataDir != null ? dataDir : Flow.home().resolve(topology.dataDir);
        long start = System.nanoTime();
        System.out.println("requestflow: starting the topology" + (file.toFile().exists() ? " from " + file : " (built-in defaults)")
                + ", transport " + io.requestflow.engine.net.Transport.describe());
        Stack stack = Stack.start(topology, data, line -> System.out.println("  " + line));
        printSummary(stack, (System.nanoTime() - start) / 1_000_000, topology);
        StopSignal.awaitThenStop(() -> {
            System.out.println("\nrequestflow: stopping (draining in-flight requests)…");
            stack.close();
            System.out.println("requestflow: stopped");
        });
        return 0;
    }

    private static void printSummary(Stack stack, long ms, Topology topology) {
        System.out.printf("%nrequestflow is up in %.1f s. Listening:%n", ms / 1000.0);
        System.out.printf("  %-16s %-18s %-28s %s%n", "ROLE", "INSTANCE", "ADDRESS", "ADMIN (/healthz /readyz /metrics)");
        for (Stack.Endpoint e : stack.endpoints()) {
            System.out.printf("  %-16s %-18s %-28s %s%n", e.role(), e.instance(), e.address(), e.admin());
        }
        int edgePort = stack.frontDoor().getPort();
        String base = "http://shop.requestflow.test:" + edgePort;
        String dns = "";
        int dnsPort = stack.dns().server().address().getPort();
        if (dnsPort != 5353) dns = " --dns 127.0.0.1:" + dnsPort;
        System.out.println();
        if (stack.console() != null) {
            System.out.println("Console: http://" + io.requestflow.engine.net.HostPort.of(stack.console().address())
                    + "/   (the path's state, a request's waterfall and trace, break and heal)");
        }
        System.out.println("Try it (in another terminal):");
        System.out.println("  ./flow get" + dns + " " + base + "/api/products/42");
        if (stack.frontDoorTls() != null) {
            System.out.println("  ./flow get" + dns + " https://shop.requestflow.test:"
                    + stack.frontDoorTls().getPort() + "/api/products/42    (./flow ca: trust it elsewhere)");
        }
        System.out.println("  ./flow get" + dns + " -X POST -d '{\"username\":\"" + topology.services.auth.demoUser
                + "\",\"password\":\"" + topology.services.auth.demoPassword + "\"}' " + base + "/api/login");
        System.out.println("  dig @127.0.0.1 -p " + dnsPort + " shop.requestflow.test");
        System.out.println("  ./flow break gateway-2 --error 503      (break a hop on purpose; ./flow heal --all)");
        System.out.println("Demo user: " + topology.services.auth.demoUser + " / " + topology.services.auth.demoPassword
                + "    Stop: Ctrl-C");
    }
}
