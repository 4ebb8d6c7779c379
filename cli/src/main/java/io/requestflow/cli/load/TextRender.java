package io.requestflow.cli.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/** The report as terminal text, read from the JSON report. */
public final class TextRender {
    private TextRender() {}

    public static String render(JsonNode r) {
        StringBuilder sb = new StringBuilder();
        JsonNode sc = r.get("scenario");
        sb.append(String.format(Locale.ROOT, "Requestflow load report  %s%n", r.path("title").asText(r.get("started").asText())));
        sb.append(String.format(Locale.ROOT, "  target %s (%s), %s, %.0f s measured after %.0f s warm-up%n",
                r.get("target").asText(), r.get("address").asText(), r.get("mode").asText(),
                sc.get("durationSeconds").asDouble(), sc.get("warmupSeconds").asDouble()));
        sb.append("  login: ").append(r.get("login").asText()).append('\n');
        JsonNode req = r.get("requests");
        JsonNode tp = r.get("throughput");
        sb.append(String.format(Locale.ROOT, "  requests %d measured (%d ok, %d errors), %d warm-up%n",
                req.get("measured").asLong(), req.get("ok").asLong(), req.get("errors").asLong(),
                req.get("warmup").asLong()));
        sb.append(String.format(Locale.ROOT, "  throughput %.1f req/s achieved, target %s, ratio %s%n",
                tp.get("achievedRps").asDouble(), num(tp.get("targetRps"), " req/s"), num(tp.get("ratio"), "")));
        sb.append('\n').append(String.format(Locale.ROOT, "  %-16s %8s %8s %8s %8s %8s %8s  %s%n", "latency (ms)",
                "count", "p50", "p90", "p99", "p99.9", "max", "statuses"));
        sb.append(latencyLine("all", r.get("latencyMs"), r.get("statuses")));
        for (JsonNode e : r.get("endpoints")) sb.append(latencyLine(e.get("name").asText(), e.get("latencyMs"), e.get("statuses")));
        if (r.has("regions") && r.get("regions").size() > 1) {
            sb.append("  by client region\n");
            r.get("regions").fields().forEachRemaining(e -> sb.append(latencyLine("  " + e.getKey(), e.getValue(),
                    MissingNode.getInstance())));
        }

        sb.append("\n  errors by kind: ");
        StringBuilder ex = new StringBuilder();
        Iterator<Map.Entry<String, JsonNode>> it = r.get("errors").fields();
        boolean first = true;
        while (it.hasNext()) {
            var e = it.next();
            if (!first) sb.append(", ");
            first = false;
            sb.append(e.getKey()).append(' ').append(e.getValue().get("count").asLong());
            if (e.getValue().has("example")) {
                ex.append("    ").append(e.getKey()).append(": ").append(e.getValue().get("example").asText()).append('\n');
            }
        }
        sb.append('\n').append(ex);

        sb.append('\n').append(String.format(Locale.ROOT, "  %-22s %8s %9s %9s%n", "per hop (own time, ms)", "count",
                "p50", "p99"));
        if (r.get("hops").isEmpty()) sb.append("    n/a (no Server-Timing in the responses)\n");
        for (JsonNode h : r.get("hops")) {
            String name = (h.get("kind").asText().equals("call") ? "  " : "") + h.get("name").asText()
                    + (h.get("kind").asText().equals("client") ? " (client)" : "");
            sb.append(String.format(Locale.ROOT, "  %-22s %8d %9.2f %9.2f%n", name, h.get("count").asLong(),
                    h.get("p50").asDouble(), h.get("p99").asDouble()));
        }
        JsonNode ra = r.get("ratios");
        sb.append('\n');
        sb.append("  edge hit ratio ").append(pct(ra.get("edgeHit")))
                .append("   Redis hit ratio ").append(pct(ra.get("redisHit")))
                .append("   DB queries/request ").append(num(ra.get("dbQueriesPerRequest"), "")).append('\n');
        sb.append("  product-page fan-out ").append(num(ra.get("productPageFanOut"), " calls"))
                .append("   replica read share ").append(pct(ra.get("replicaReadShare")))
                .append("   new connections ").append(pct(ra.get("newConnectionShare"))).append('\n');
        JsonNode gen = r.get("generator");
        StringBuilder protocols = new StringBuilder();
        r.path("protocols").fields().forEachRemaining(e -> protocols.append(protocols.isEmpty() ? "" : ", ")
                .append(e.getKey()).append(' ').append(e.getValue().asLong()));
        sb.append("  responses by protocol: ").append(protocols.isEmpty() ? "none" : protocols).append('\n');
        sb.append(String.format(Locale.ROOT, "  generator: %d connections opened from %d source addresses, max send lag"
                        + " %.2f ms%n", gen.get("connectionsOpened").asLong(), gen.get("sources").asInt(),
                gen.get("maxLagMs").asDouble()));
        sb.append(String.format(Locale.ROOT, "  machine: %d cores, load average %s before, %s after%n",
                gen.path("cores").asInt(), gen.path("loadAverageBefore").asText("n/a"),
                gen.path("loadAverageAfter").asText("n/a")));

        sb.append('\n').append(String.format(Locale.ROOT, "  %-34s %-30s %12s  %s%n", "budget (seeds)", "target",
                "figure", "verdict"));
        for (JsonNode v : r.get("verdict")) {
            sb.append(String.format(Locale.ROOT, "  %-34s %-30s %12s  %s%n", v.get("budget").asText(),
                    v.get("target").asText(), v.get("figure").isNull() ? "n/a" : v.get("figure").asText(),
                    v.get("verdict").asText()));
        }
        return sb.toString();
    }

    private static String latencyLine(String name, JsonNode l, JsonNode statuses) {
        StringBuilder st = new StringBuilder();
        statuses.fields().forEachRemaining(e -> st.append(st.isEmpty() ? "" : " ").append(e.getKey()).append('x')
                .append(e.getValue().asLong()));
        return String.format(Locale.ROOT, "  %-16s %8d %8s %8s %8s %8s %8s  %s%n", name, l.get("count").asLong(),
                num(l.get("p50"), ""), num(l.get("p90"), ""), num(l.get("p99"), ""), num(l.get("p99.9"), ""),
                num(l.get("max"), ""), st);
    }

    static String num(JsonNode n, String unit) {
        if (n == null || n.isNull()) return "n/a";
        return String.format(Locale.ROOT, "%.2f", n.asDouble()) + unit;
    }

    static String pct(JsonNode n) {
        if (n == null || n.isNull()) return "n/a";
        return String.format(Locale.ROOT, "%.1f%%", n.asDouble() * 100);
    }
}
