package io.requestflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.requestflow.engine.http.Json;
import io.requestflow.engine.net.HostPort;
import io.requestflow.topology.Topology;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code ./flow trace ID}: every span of one request, from every hop, as a tree on a time line. */
@Command(name = "trace", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Show every span of one request, from every hop, as a tree on a time line.",
                "HTTP, Redis, PostgreSQL and the queue's work after the answer, each nested under its parent,",
                "with its start, duration and a bar.",
                "The trace id is the X-Request-Id the edge gave the request (`./flow get` prints it).",
                "Spans are kept in memory per process (the most recent ones), read from the admin ports' /spans.",
                "",
                "Example: ./flow trace 4bf92f3577b34da6a3ce929d0e0e4736"})
public final class TraceCommand implements Callable<Integer> {
    @Parameters(paramLabel = "TRACE_ID", description = "32 hex digits")
    String traceId;

    @Option(names = "--config", paramLabel = "FILE", description = "Topology file `up` was started with (default: config/topology.yaml)")
    Path config;

    @Option(names = "--admin", paramLabel = "HOST:PORT", description = "Ask only this admin port (default: every hop of the topology)")
    List<String> admins = new ArrayList<>();

    @Option(names = "--json", description = "Print the spans as JSON instead")
    boolean json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!traceId.matches("[0-9a-f]{32}")) {
            throw new IllegalArgumentException("a trace id is 32 lowercase hex digits, got '" + traceId + "'");
        }
        Set<HostPort> targets = new LinkedHashSet<>();
        for (String a : admins) targets.add(HostPort.parse(a));
        if (targets.isEmpty()) {
            Topology t = AdminPort.topology(config);
            targets.addAll(HopAdmins.running(t).values());
            targets.add(new HostPort(t.bind, t.queue.adminPort));
            targets.add(new HostPort(t.bind, t.dnsAdminPort));
        }
        List<JsonNode> answers = new ArrayList<>();
        int reached = 0;
        for (HostPort admin : targets) {
            try {
                HttpResponse<String> r = AdminPort.get(admin, "/spans?trace=" + traceId + "&limit=2000", AdminPort.DEFAULT_TIMEOUT);
                reached++;
                if (r.statusCode() == 200) answers.add(Json.tree(r.body().getBytes(StandardCharsets.UTF_8)));
            } catch (java.io.IOException notRunning) {
                // `up` answers on every port with the same spans; `serve` processes each with their own
            }
        }
        if (reached == 0) throw new IllegalStateException("no admin port answered: is `./flow up` running with this config?");
        List<SpanTree.Span> spans = SpanTree.merge(answers);
        java.io.PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new String(Json.bytes(spans), StandardCharsets.UTF_8));
            return spans.isEmpty() ? 1 : 0;
        }
        if (spans.isEmpty()) {
            out.println("no spans of trace " + traceId + " (spans are kept in memory, the most recent per process;"
                    + " with tracing.sampleRatio below 1 an unsampled request records none)");
            return 1;
        }
        out.println("trace " + traceId + ": " + spans.size() + " spans");
        SpanTree.render(spans, 30).forEach(out::println);
        out.flush();
        return 0;
    }
}
