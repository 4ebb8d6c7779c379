package io.requestflow.cli;

import io.requestflow.engine.net.HostPort;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code ./flow queue dlq|replay}: the dead-letter topic, seen and emptied by an operator. */
@Command(name = "queue", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"The queue's dead-letter topic: events the worker gave up on, and why.",
                "  dlq      list the events waiting there (error, attempts, where each came from)",
                "  replay   send them back to the topic, once the cause is fixed (each goes once)",
                "Talks to the queue role's admin port (GET /dlq, POST /dlq/replay).",
                "",
                "Examples: ./flow queue dlq     ./flow queue replay --max 10"})
public final class QueueCommand implements Callable<Integer> {
    @Parameters(paramLabel = "ACTION", description = "dlq or replay")
    String action;

    @Option(names = "--max", paramLabel = "N", defaultValue = "100", description = "At most this many events (default ${DEFAULT-VALUE})")
    int max;

    @Option(names = "--config", paramLabel = "FILE", description = "Topology file `up` was started with (default: config/topology.yaml)")
    Path config;

    @Option(names = "--admin", paramLabel = "HOST:PORT", description = "The queue's admin address (default: queue.adminPort)")
    String admin;

    @Override
    public Integer call() throws Exception {
        if (max < 1 || max > 10_000) throw new IllegalArgumentException("--max must be 1..10000");
        HostPort target = admin != null ? HostPort.parse(admin) : queueAdmin();
        String body = switch (action) {
            case "dlq" -> AdminPort.call(target, "GET", "/dlq?max=" + max, "the queue").body();
            case "replay" -> AdminPort.call(target, "POST", "/dlq/replay?max=" + max, "the queue").body();
            default -> throw new IllegalArgumentException("ACTION is dlq or replay, not '" + action + "'");
        };
        System.out.println(body);
        return 0;
    }

    private HostPort queueAdmin() {
        var t = AdminPort.topology(config);
        return new HostPort(t.bind, t.queue.adminPort);
    }
}
