package io.requestflow.cli.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.requestflow.cli.Flow;
import io.requestflow.engine.http.Json;
import io.requestflow.topology.Topology;
import io.requestflow.topology.TopologyLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ./flow bench}: the fixed suite of docs/benchmarks.md against a running topology. The same
 * product request is sent, open loop at a constant rate, to each layer of the path from the inside out
 * (catalog alone, then gateway, balancer, firewall, edge), so each hop's overhead is the difference to the
 * layer behind it measured minutes apart on the same machine; then the full path cold (ids never asked
 * for before in the run) and warm (a small Zipf-skewed set), and the edge hit path (one URL over and over).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, version = "requestflow-bench 0.1",
        description = {
                "Run the fixed benchmark suite against a running topology (./flow up) and report each step.",
                "Steps: catalog, gateway, balancer, firewall, edge (each hop's overhead = its p50 minus the"
                        + " layer behind it), full path cold, full path warm, edge hit path."},
        footer = {"", "Example:  ./flow bench --config my-topology.yaml --html var/bench.html",
                "The reference servers (nginx, HAProxy, Knot via dnsperf) are measured by bench/references.sh."})
public final class BenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "the topology the running stack uses"
            + " (default config/topology.yaml, or the built-in defaults)")
    Path config;

    @Option(names = {"-r", "--rate"}, paramLabel = "R", defaultValue = "200",
            description = "requests per second in each step (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = {"-d", "--duration"}, paramLabel = "D", defaultValue = "10s",
            description = "measured duration of each step (default: ${DEFAULT-VALUE})")
    String duration;

    @Option(names = "--warmup", paramLabel = "D", defaultValue = "2s",
            description = "warm-up of each step (default: ${DEFAULT-VALUE})")
    String warmup;

    @Option(names = "--only", paramLabel = "STEP", description = "run only these steps (repeatable)")
    List<String> only = new ArrayList<>();

    @Option(names = "--json", paramLabel = "FILE", description = "also write the suite's report as JSON")
    Path json;

    @Option(names = "--html", paramLabel = "FILE", description = "also write it as a self-contained HTML page")
    Path html;

    @Option(names = {"-q", "--quiet"}, description = "no live progress line")
    boolean quiet;

    /** One step of the suite. */
    record Step(String name, String what, Scenario scenario, String overheadOver) {}

    @Override
    public Integer call() throws Exception {
        Path file = config != null ? config : Flow.home().resolve("config/topology.yaml");
        Topology t = TopologyLoader.load(file, config != null);
        double d = LoadCommand.seconds(duration, "--duration");
        double w = LoadCommand.seconds(warmup, "--warmup");
        PrintWriter out = spec.commandLine().getOut();
        ObjectNode suite = run(steps(t, d, w), d, out);
        out.print(text(suite));
        if (json != null) {
            Files.createDirectories(json.toAbsolutePath().getParent());
            Files.writeString(json, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(suite) + "\n");
            out.println("  JSON report: " + json);
        }
        if (html != null) {
            Files.createDirectories(html.toAbsolutePath().getParent());
            Files.writeString(html, html(suite), StandardCharsets.UTF_8);
            out.println("  HTML report: " + html);
        }
        out.flush();
        return 0;
    }

    /** Where the suite sends: each layer's traffic port, the dns hop, the zone and the catalog size. */
    record Targets(int catalog, int gateway, int balancer, int firewall, int edge, String dns, String zone,
                   int products) {
        static Targets of(Topology t) {
            return new Targets(t.services.catalog.port, t.gateway.port, t.balancer.port, t.firewall.port, t.edge.port,
                    t.dns.host() + ":" + t.dns.port(), t.dns.zone(), t.catalogProducts);
        }
    }

    /** Runs the steps (those named by --only, when given) and returns the suite's report. */
    ObjectNode run(List<Step> all, double duration, PrintWriter out) throws InterruptedException {
        ObjectNode suite = Json.MAPPER.createObjectNode();
        suite.put("tool", "requestflow bench");
        suite.put("started", Instant.now().toString());
        suite.put("rate", rate);
        suite.put("durationSeconds", duration);
        ArrayNode steps = suite.putArray("steps");
        for (Step step : all) {
            if (!only.isEmpty() && !only.contains(step.name())) continue;
            out.println("bench: " + step.name() + " - " + step.what());
            out.flush();
            ObjectNode report = LoadCommand.runAndReport(step.scenario(), quiet ? null : System.err, step.name());
            ObjectNode n = steps.addObject();
            n.put("name", step.name());
            n.put("what", step.what());
            if (step.overheadOver() != null) n.put("overheadOver", step.overheadOver());
            n.set("report", report);
        }
        overheads(steps);
        return suite;
    }

    List<Step> steps(Topology t, double duration, double warmup) {
        return steps(Targets.of(t), duration, warmup);
    }

    List<Step> steps(Targets t, double duration, double warmup) {
        String host = "127.0.0.1";
        String dns = t.dns();
        List<Step> s = new ArrayList<>();
        s.add(new Step("catalog", "GET /api/products/{id} straight to the catalog service",
                single("http://" + host + ":" + t.catalog(), dns, duration, warmup, 1.0, 100), null));
        s.add(new Step("gateway", "the same through the gateway",
                single("http://" + host + ":" + t.gateway(), dns, duration, warmup, 1.0, 100), "catalog"));
        s.add(new Step("balancer", "the same through balancer and gateway",
                single("http://" + host + ":" + t.balancer(), dns, duration, warmup, 1.0, 100), "gateway"));
        s.add(new Step("firewall", "the same through firewall, balancer and gateway",
                single("http://" + host + ":" + t.firewall(), dns, duration, warmup, 1.0, 100), "balancer"));
        String front = "http://shop." + t.zone() + ":" + t.edge();
        s.add(new Step("edge", "the same through the whole path from the edge (name resolved by the dns hop)",
                single(front, dns, duration, warmup, 1.0, 100), "firewall"));
        Scenario cold = single(front, dns, duration, 0, 0, t.products());
        cold.endpoints = List.of(new Scenario.Endpoint("product", 1, "GET", "/api/products/{seq}", null, false));
        cold.seed = System.currentTimeMillis(); // a different stretch of ids each run
        s.add(new Step("full-path-cold", "whole path, each request a product not asked for before in this run"
                + " (Redis misses unless cached by an earlier run within its TTL)", cold, null));
        s.add(new Step("full-path-warm", "whole path, 100 products with Zipf popularity (Redis hits)",
                single(front, dns, duration, warmup, 1.0, 100), null));
        Scenario hit = single(front, dns, duration, warmup, 0, 1);
        s.add(new Step("edge-hit", "whole path, one URL over and over: served by the edge cache when it has one",
                hit, null));
        return s;
    }

    /** One endpoint, constant arrivals, flat profile, one source address, no new connections. */
    Scenario single(String target, String dns, double duration, double warmup, double zipf, int products) {
        Scenario s = Scenario.defaults();
        s.rate = rate;
        s.target = target;
        s.dns = dns;
        s.durationSeconds = duration;
        s.warmupSeconds = warmup;
        s.arrival = "constant";
        s.profile = List.of();
        s.newConnectionShare = 0;
        s.zipfExponent = zipf;
        s.products = products;
        s.regions = List.of(new Scenario.Region("local", 0, 1, 1));
        s.endpoints = List.of(new Scenario.Endpoint("product", 1, "GET", "/api/products/{product}", null, false));
        return s;
    }

    /** Each layer's p50 and p99 minus the layer behind it: what that hop added. */
    static void overheads(ArrayNode steps) {
        for (JsonNode n : steps) {
            if (!n.has("overheadOver")) continue;
            for (JsonNode m : steps) {
                if (!m.get("name").asText().equals(n.get("overheadOver").asText())) continue;
                JsonNode a = n.get("report").get("latencyMs");
                JsonNode b = m.get("report").get("latencyMs");
                if (a.get("p50").isNull() || b.get("p50").isNull()) continue;
                ((ObjectNode) n).put("overheadP50Ms", Report.round(a.get("p50").asDouble() - b.get("p50").asDouble()));
                ((ObjectNode) n).put("overheadP99Ms", Report.round(a.get("p99").asDouble() - b.get("p99").asDouble()));
            }
        }
    }

    static String text(JsonNode suite) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode n : suite.get("steps")) sb.append('\n').append(TextRender.render(n.get("report")));
        sb.append(String.format(Locale.ROOT, "%nRequestflow bench summary (%.0f req/s, %.0f s per step)%n",
                suite.get("rate").asDouble(), suite.get("durationSeconds").asDouble()));
        sb.append(String.format(Locale.ROOT, "  %-16s %9s %9s %9s %9s %8s %7s  %s%n", "step", "req/s", "p50 ms",
                "p99 ms", "max ms", "errors", "+p50", "what"));
        for (JsonNode n : suite.get("steps")) {
            JsonNode r = n.get("report");
            JsonNode l = r.get("latencyMs");
            sb.append(String.format(Locale.ROOT, "  %-16s %9.1f %9s %9s %9s %8d %7s  %s%n", n.get("name").asText(),
                    r.get("throughput").get("achievedRps").asDouble(), TextRender.num(l.get("p50"), ""),
                    TextRender.num(l.get("p99"), ""), TextRender.num(l.get("max"), ""),
                    r.get("requests").get("errors").asLong(),
                    n.has("overheadP50Ms") ? TextRender.num(n.get("overheadP50Ms"), "") : "", n.get("what").asText()));
        }
        return sb.toString();
    }

    static String html(JsonNode suite) {
        StringBuilder sb = new StringBuilder();
        sb.append(HtmlRender.head("Requestflow bench"));
        sb.append("<h1>Requestflow bench</h1>\n<pre>").append(HtmlRender.esc(text(suite).substring(
                text(suite).indexOf("Requestflow bench summary")))).append("</pre>\n");
        for (JsonNode n : suite.get("steps")) {
            String page = HtmlRender.render(n.get("report"));
            String body = page.substring(page.indexOf("<body>") + 6, page.lastIndexOf("</body>"));
            sb.append("<hr><h1>step ").append(HtmlRender.esc(n.get("name").asText())).append(": ")
                    .append(HtmlRender.esc(n.get("what").asText())).append("</h1>\n")
                    .append(body.replace("<h1>Requestflow load report</h1>", ""));
        }
        sb.append("</body></html>\n");
        return sb.toString();
    }
}
