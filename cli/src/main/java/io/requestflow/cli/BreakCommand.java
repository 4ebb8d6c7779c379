package io.requestflow.cli;

import io.requestflow.engine.net.HostPort;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code ./flow break INSTANCE …}: injects a fault into one running hop instance, for a while. */
@Command(name = "break", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Break a running hop or data store on purpose, and watch the path cope.",
                "Slow a hop down, make it fail a share of requests, or fail its readiness check;",
                "stop the PostgreSQL primary, Redis or Kafka, or pause the replica.",
                "The fault ends by itself after --for (default 5m), or with `./flow heal INSTANCE`.",
                "Talks to the instance's admin port (POST /faults); works on `up` and `serve` alike.",
                "",
                "Examples:",
                "  ./flow break gateway-2 --error 503            # retried on gateway-1: clients see no errors",
                "  ./flow break gateway-2 --error 500            # 500s reach clients until outlier ejection",
                "  ./flow break catalog --latency 300 --jitter 200 # the page waits, then degrades",
                "  ./flow break recommendations --error 503 --percent 50",
                "  ./flow break gateway-1 --unready --for 30s   # health checks take it out, then back in",
                "  ./flow break gateway-2 --reset 100           # connections reset, no answer: retried elsewhere",
                "  ./flow break dns --latency 300               # every lookup waits: ./flow get shows it in dns",
                "  ./flow break dns --error 503 --percent 50    # half the lookups get SERVFAIL",
                "  ./flow break redis --for 1m                  # stops the embedded Redis: reads go to PostgreSQL",
                "  ./flow break postgres --for 1m               # stops the primary: reads go on from the replica, writes get 503",
                "  ./flow break kafka                           # orders go on; the outbox waits, then catches up",
                "  ./flow break replica                         # pauses WAL replay: the replica falls behind",
                "  ./flow faults                                # what is broken now"})
public final class BreakCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "INSTANCE",
            description = "dns, edge, firewall, balancer, gateway-N, auth, catalog, inventory, reviews, recommendations,"
                    + " orders, page; or postgres (the primary), redis, kafka, replica (the stores `./flow up` embeds)")
    String instance;

    @Option(names = "--latency", paramLabel = "MS", description = "Delay every request by this many milliseconds")
    long latencyMs;

    @Option(names = "--jitter", paramLabel = "MS", description = "Plus up to this many milliseconds at random")
    long jitterMs;

    @Option(names = "--error", paramLabel = "STATUS",
            description = "Answer requests with this status (400-599); dns answers SERVFAIL whatever the status")
    int errorStatus;

    @Option(names = "--percent", paramLabel = "P", description = "Share of requests that get --error (default 100)")
    Integer percent;

    @Option(names = "--reset", paramLabel = "P",
            description = "Reset the connection of this share of requests (0-100) without answering, as a crashed"
                    + " process would; dns: no answer")
    Integer resetPercent;

    @Option(names = "--unready", description = "Fail /readyz, so health checks take the instance out")
    boolean unready;

    @Option(names = "--for", paramLabel = "DURATION", defaultValue = "5m",
            description = "How long the fault lasts: 90s, 5m, 1h (default ${DEFAULT-VALUE})")
    String duration;

    @Option(names = "--config", paramLabel = "FILE", description = "Topology file `up` was started with (default: config/topology.yaml)")
    Path config;

    @Option(names = "--admin", paramLabel = "HOST:PORT", description = "The instance's admin address (default: from the topology)")
    String admin;

    @Override
    public Integer call() throws Exception {
        if (percent != null && errorStatus == 0) throw new IllegalArgumentException("--percent needs --error STATUS");
        if (HopAdmins.isDataStore(instance)) return breakDataStore();
        if (latencyMs == 0 && jitterMs == 0 && errorStatus == 0 && !unready && resetPercent == null) {
            throw new IllegalArgumentException("say what to break: --latency MS, --jitter MS, --error STATUS, --reset P"
                    + " or --unready (see ./flow break --help)");
        }
        HostPort target = admin != null ? HostPort.parse(admin) : HopAdmins.find(AdminPort.topology(config), instance);
        StringBuilder query = new StringBuilder("/faults?forSeconds=").append(seconds(duration));
        if (latencyMs > 0) query.append("&latencyMs=").append(latencyMs);
        if (jitterMs > 0) query.append("&jitterMs=").append(jitterMs);
        if (errorStatus > 0) query.append("&errorStatus=").append(errorStatus).append("&percent=").append(percent == null ? 100 : percent);
        if (resetPercent != null) query.append("&resetPercent=").append(resetPercent);
        if (unready) query.append("&unready=true");
        HttpResponse<String> response = AdminPort.call(target, "POST", query.toString(), instance);
        System.out.println(response.body());
        return response.statusCode() == 200 ? 0 : 1;
    }

    /** Redis is stopped, the replica's replay paused, by the `up` process that embeds them. */
    private int breakDataStore() throws InterruptedException {
        if (latencyMs > 0 || jitterMs > 0 || errorStatus > 0 || unready || resetPercent != null) {
            throw new IllegalArgumentException(instance + " takes no --latency/--error/--unready: `./flow break "
                    + instance + "` " + (instance.equals("replica") ? "pauses its WAL replay" : "stops it"));
        }
        HostPort target = admin != null ? HostPort.parse(admin) : HopAdmins.upProcess(AdminPort.topology(config));
        System.out.println(AdminPort.call(target, "POST", "/data?store=" + instance + "&action=break&forSeconds="
                + seconds(duration), "`./flow up`").body());
        return 0;
    }

    /** {@code 90s}, {@code 5m}, {@code 1h} or plain seconds. */
    static long seconds(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        long unit = 1;
        if (t.endsWith("s")) t = t.substring(0, t.length() - 1);
        else if (t.endsWith("m")) {
            unit = 60;
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("h")) {
            unit = 3600;
            t = t.substring(0, t.length() - 1);
        }
        try {
            long n = Long.parseLong(t) * unit;
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("--for must be a duration such as 90s, 5m or 1h, got '" + text + "'");
    }
}
