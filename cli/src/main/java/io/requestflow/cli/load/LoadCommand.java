package io.requestflow.cli.load;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.requestflow.engine.http.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ./flow load}: drives the running topology through the front door like many users and reports
 * latency, throughput, errors, per-hop time and the verdict against the seeds' budgets.
 */
@Command(name = "load", mixinStandardHelpOptions = true, version = "requestflow-load 0.1",
        description = {
                "Send load through the Requestflow path and report against the seeds' budgets.",
                "Open loop by default: requests leave at their scheduled times whatever the server does, and"
                        + " latency counts from the scheduled time (no coordinated omission). The default mix"
                        + " browses product pages, searches, views images, logs in, reviews and orders, with"
                        + " Zipf product popularity, a compressed daily profile and clients in three regions."},
        footer = {"", "Examples:",
                "  ./flow load --rate 200 --duration 30s",
                "  ./flow load --rate 500 --duration 2m --json var/load.json --html var/load.html",
                "  ./flow load --scenario my-scenario.yaml --users 50",
                "",
                "Durations: 30 (seconds), 30s, 500ms, 2m. Exit 0 when the run completed (errors are in the report)."})
public final class LoadCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--scenario", paramLabel = "FILE", description = "YAML scenario (docs/benchmarks.md); flags override it")
    Path scenarioFile;

    @Option(names = {"-r", "--rate"}, paramLabel = "R", description = "target requests per second (default 100)")
    Double rate;

    @Option(names = {"-d", "--duration"}, paramLabel = "D", description = "measured duration (default 30s)")
    String duration;

    @Option(names = "--warmup", paramLabel = "D", description = "warm-up before measuring (default 5s)")
    String warmup;

    @Option(names = "--ramp", paramLabel = "D", description = "ramp from 10%% to the rate at the start (default 0)")
    String ramp;

    @Option(names = "--arrival", paramLabel = "constant|poisson", description = "arrival process (default poisson)")
    String arrival;

    @Option(names = "--users", paramLabel = "N", description = "closed loop with N virtual users instead of a rate")
    Integer users;

    @Option(names = "--flat", description = "no daily profile: the target rate throughout")
    boolean flat;

    @Option(names = "--target", paramLabel = "URL", description = "front door (default http://shop.requestflow.test:8080)")
    String target;

    @Option(names = "--dns", paramLabel = "HOST:PORT", description = "the project's DNS server (default 127.0.0.1:5353)")
    String dns;

    @Option(names = "--timeout", paramLabel = "D", description = "per-request bound from its intended send (default 5s)")
    String timeout;

    @Option(names = "--new-connections", paramLabel = "SHARE", description = "share of requests on a new connection (default 0.05)")
    Double newConnections;

    @Option(names = "--no-http2", description = "offer only HTTP/1.1 on https targets (default: offer h2 by ALPN)")
    boolean noHttp2;

    @Option(names = "--ca", paramLabel = "FILE", description = "extra CA certificate (PEM) for https targets"
            + " (default var/ca/ca.pem)")
    String ca;

    @Option(names = "--zipf", paramLabel = "S", description = "Zipf exponent of product popularity (default 1.0)")
    Double zipf;

    @Option(names = "--metrics", paramLabel = "URL", description = "a hop's admin /metrics to diff over the run (repeatable)")
    List<String> metrics = new ArrayList<>();

    @Option(names = "--json", paramLabel = "FILE", description = "also write the report as JSON")
    Path json;

    @Option(names = "--html", paramLabel = "FILE", description = "also write the report as a self-contained HTML page")
    Path html;

    @Option(names = {"-q", "--quiet"}, description = "no live progress line")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        Scenario s;
        try {
            s = scenario();
            s.validate();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        ObjectNode report = runAndReport(s, quiet ? null : System.err, null);
        write(spec.commandLine().getOut(), report, json, html);
        return 0;
    }

    /** Runs the scenario and builds the report, scraping {@code s.metrics} around it. */
    static ObjectNode runAndReport(Scenario s, java.io.PrintStream progress, String title) throws InterruptedException {
        Map<String, Map<String, Double>> before = s.metrics.isEmpty() ? Map.of() : MetricsScrape.read(s.metrics);
        LoadRun.Result result = new LoadRun(s, progress, null).run();
        Map<String, Map<String, Double>> deltas = s.metrics.isEmpty() ? Map.of()
                : MetricsScrape.delta(before, MetricsScrape.read(s.metrics));
        ObjectNode report = Report.of(result, deltas);
        if (title != null) report.put("title", title);
        return report;
    }

    static void write(PrintWriter out, ObjectNode report, Path json, Path html) throws IOException {
        out.print(TextRender.render(report));
        if (json != null) {
            mkdirs(json);
            Files.writeString(json, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report) + "\n",
                    StandardCharsets.UTF_8);
            out.println("  JSON report: " + json);
        }
        if (html != null) {
            mkdirs(html);
            Files.writeString(html, HtmlRender.render(report), StandardCharsets.UTF_8);
            out.println("  HTML report: " + html);
        }
        out.flush();
    }

    private static void mkdirs(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
    }

    Scenario scenario() {
        Scenario s = scenarioFile != null ? Scenario.load(scenarioFile) : Scenario.defaults();
        if (rate != null) s.rate = rate;
        if (duration != null) s.durationSeconds = seconds(duration, "--duration");
        if (warmup != null) s.warmupSeconds = seconds(warmup, "--warmup");
        if (ramp != null) s.rampSeconds = seconds(ramp, "--ramp");
        if (arrival != null) s.arrival = arrival;
        if (users != null) s.users = users;
        if (flat) s.profile = List.of();
        if (target != null) s.target = target;
        if (dns != null) s.dns = dns;
        if (timeout != null) s.timeoutMs = Math.round(seconds(timeout, "--timeout") * 1000);
        if (newConnections != null) s.newConnectionShare = newConnections;
        if (zipf != null) s.zipfExponent = zipf;
        if (noHttp2) s.http2 = false;
        if (ca != null) s.caFile = ca;
        if (!metrics.isEmpty()) s.metrics = metrics;
        return s;
    }

    /** "30", "30s", "500ms", "2m", "1h" as seconds. */
    static double seconds(String text, String option) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (t.endsWith("ms")) return Double.parseDouble(t.substring(0, t.length() - 2)) / 1000;
            if (t.endsWith("s")) return Double.parseDouble(t.substring(0, t.length() - 1));
            if (t.endsWith("m")) return Double.parseDouble(t.substring(0, t.length() - 1)) * 60;
            if (t.endsWith("h")) return Double.parseDouble(t.substring(0, t.length() - 1)) * 3600;
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " '" + text + "' is not a duration (30, 30s, 500ms, 2m)");
        }
    }
}
