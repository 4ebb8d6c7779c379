package io.requestflow.cli.load;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The report as one self-contained HTML page: tables and inline SVG plots drawn here, no scripts, fonts
 * or styles fetched from anywhere, so the file opens offline and can be committed next to the code.
 */
public final class HtmlRender {
    private static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
            "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
    private static final int W = 860;
    private static final int H = 260;
    private static final int L = 60;
    private static final int R = 20;
    private static final int T = 20;
    private static final int B = 40;

    private HtmlRender() {}

    public static String render(JsonNode r) {
        StringBuilder sb = new StringBuilder(64 * 1024);
        sb.append(head("Requestflow load report"));
        sb.append("<h1>Requestflow load report</h1>\n");
        sb.append("<p>").append(esc(r.get("target").asText())).append(" (").append(esc(r.get("address").asText()))
                .append("), ").append(esc(r.get("mode").asText())).append(", started ")
                .append(esc(r.get("started").asText())).append(". Login: ").append(esc(r.get("login").asText()))
                .append(".</p>\n");
        verdict(sb, r);
        summary(sb, r);
        sb.append("<h2>Latency percentiles over time</h2>\n<p>By intended send time: a stall shows up in the requests"
                + " that should have been sent during it. Log scale.</p>\n");
        percentilesOverTime(sb, r.get("timeline"));
        sb.append("<h2>Latency histogram</h2>\n");
        histogram(sb, r.get("histogram"));
        sb.append("<h2>Where the time goes (per hop, from Server-Timing)</h2>\n");
        endpointStacks(sb, r);
        sb.append("<p>All requests together:</p>\n");
        hopStack(sb, r.get("hops"));
        hopTable(sb, r.get("hops"));
        sb.append("<h2>Throughput and errors over time</h2>\n");
        throughput(sb, r.get("timeline"));
        endpoints(sb, r);
        regions(sb, r);
        errors(sb, r);
        ratios(sb, r);
        sb.append("<h2>Scenario</h2>\n<pre>").append(esc(r.get("scenario").toPrettyString())).append("</pre>\n");
        sb.append("</body></html>\n");
        return sb.toString();
    }

    /** The document's start up to and including {@code <body>}, with the page's inline styles. */
    static String head(String title) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title)).append("</title>\n")
                .append("<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:960px}")
                .append("table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ccc;padding:3px 8px;")
                .append("text-align:right;font-variant-numeric:tabular-nums}th{background:#f3f3f3}td:first-child,")
                .append("th:first-child{text-align:left}.met{color:#137333;font-weight:bold}.missed{color:#c5221f;")
                .append("font-weight:bold}.na{color:#888}pre{background:#f7f7f7;padding:8px}svg{background:#fff;")
                .append("border:1px solid #ddd;margin-bottom:16px}</style></head><body>\n");
        return sb.toString();
    }

    private static void verdict(StringBuilder sb, JsonNode r) {
        sb.append("<h2>Verdict against the seeds' budgets</h2>\n<table><tr><th>budget</th><th>target</th><th>figure</th>"
                + "<th>verdict</th></tr>\n");
        for (JsonNode v : r.get("verdict")) {
            String verdict = v.get("verdict").asText();
            String cls = verdict.equals("met") ? "met" : verdict.equals("missed") ? "missed" : "na";
            sb.append("<tr><td>").append(esc(v.get("budget").asText())).append("</td><td>")
                    .append(esc(v.get("target").asText())).append("</td><td>")
                    .append(v.get("figure").isNull() ? "n/a" : esc(v.get("figure").asText()))
                    .append("</td><td class=\"").append(cls).append("\">").append(verdict).append("</td></tr>\n");
        }
        sb.append("</table>\n");
    }

    private static void summary(StringBuilder sb, JsonNode r) {
        JsonNode req = r.get("requests");
        JsonNode tp = r.get("throughput");
        JsonNode l = r.get("latencyMs");
        sb.append("<h2>Summary</h2>\n<table><tr><th>requests</th><th>ok</th><th>errors</th><th>achieved req/s</th>"
                + "<th>target req/s</th><th>ratio</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr>\n<tr>");
        td(sb, req.get("measured").asText());
        td(sb, req.get("ok").asText());
        td(sb, req.get("errors").asText());
        td(sb, TextRender.num(tp.get("achievedRps"), ""));
        td(sb, TextRender.num(tp.get("targetRps"), ""));
        td(sb, TextRender.num(tp.get("ratio"), ""));
        for (String k : List.of("p50", "p90", "p99", "p99.9", "max")) td(sb, TextRender.num(l.get(k), " ms"));
        sb.append("</tr></table>\n");
    }

    private static void endpoints(StringBuilder sb, JsonNode r) {
        sb.append("<h2>Per endpoint (ms)</h2>\n<table><tr><th>endpoint</th><th>count</th><th>errors</th><th>p50</th>"
                + "<th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th>statuses</th><th>internal calls/request</th></tr>\n");
        for (JsonNode e : r.get("endpoints")) {
            sb.append("<tr>");
            td(sb, e.get("name").asText());
            td(sb, e.get("count").asText());
            td(sb, e.get("errors").asText());
            for (String k : List.of("p50", "p90", "p99", "p99.9", "max")) td(sb, TextRender.num(e.get("latencyMs").get(k), ""));
            StringBuilder st = new StringBuilder();
            e.get("statuses").fields().forEachRemaining(s -> st.append(st.isEmpty() ? "" : " ").append(s.getKey())
                    .append('\u00d7').append(s.getValue().asLong()));
            td(sb, st.toString());
            td(sb, TextRender.num(e.get("internalCallsPerRequest"), ""));
            sb.append("</tr>\n");
        }
        sb.append("</table>\n");
    }

    /** Latency by client region: with the WAN link on ({@code wan.enabled}), each region's distance from the edge. */
    private static void regions(StringBuilder sb, JsonNode r) {
        if (!r.has("regions") || r.get("regions").size() < 2) return;
        sb.append("<h2>Per client region (ms)</h2>\n<table><tr><th>region</th><th>count</th><th>p50</th><th>p90</th>"
                + "<th>p99</th><th>p99.9</th><th>max</th></tr>\n");
        r.get("regions").fields().forEachRemaining(e -> {
            sb.append("<tr>");
            td(sb, e.getKey());
            td(sb, e.getValue().get("count").asText());
            for (String k : List.of("p50", "p90", "p99", "p99.9", "max")) td(sb, TextRender.num(e.getValue().get(k), ""));
            sb.append("</tr>\n");
        });
        sb.append("</table>\n");
    }

    private static void errors(StringBuilder sb, JsonNode r) {
        sb.append("<h2>Errors by kind</h2>\n<table><tr><th>kind</th><th>count</th><th>first example</th></tr>\n");
        r.get("errors").fields().forEachRemaining(e -> {
            sb.append("<tr>");
            td(sb, e.getKey());
            td(sb, e.getValue().get("count").asText());
            sb.append("<td style=\"text-align:left\">").append(esc(e.getValue().path("example").asText(""))).append("</td></tr>\n");
        });
        sb.append("</table>\n");
    }

    private static void ratios(StringBuilder sb, JsonNode r) {
        JsonNode ra = r.get("ratios");
        sb.append("<h2>Caches and data</h2>\n<table><tr><th>signal</th><th>value</th></tr>\n");
        row(sb, "edge hit ratio (X-Cache / Cache-Status / edge desc)", TextRender.pct(ra.get("edgeHit")));
        row(sb, "Redis hit ratio (Server-Timing redis desc)", TextRender.pct(ra.get("redisHit")));
        row(sb, "database queries per request", TextRender.num(ra.get("dbQueriesPerRequest"), ""));
        row(sb, "product-page fan-out (internal calls per page)", TextRender.num(ra.get("productPageFanOut"), ""));
        row(sb, "replica read share", TextRender.pct(ra.get("replicaReadShare")));
        row(sb, "requests on a new connection", TextRender.pct(ra.get("newConnectionShare")));
        row(sb, "connections opened", r.get("generator").get("connectionsOpened").asText());
        row(sb, "responses by protocol", r.path("protocols").toString());
        row(sb, "generator max send lag (ms)", TextRender.num(r.get("generator").get("maxLagMs"), ""));
        row(sb, "machine: cores, load average before / after", r.get("generator").path("cores").asText() + ", "
                + r.get("generator").path("loadAverageBefore").asText() + " / "
                + r.get("generator").path("loadAverageAfter").asText());
        sb.append("</table>\n");
    }

    private static void hopTable(StringBuilder sb, JsonNode hops) {
        sb.append("<table><tr><th>hop / call</th><th>count</th><th>p50 ms</th><th>p99 ms</th></tr>\n");
        for (JsonNode h : hops) {
            sb.append("<tr>");
            td(sb, h.get("name").asText() + (h.get("kind").asText().equals("hop") ? "" : " (" + h.get("kind").asText() + ")"));
            td(sb, h.get("count").asText());
            td(sb, TextRender.num(h.get("p50"), ""));
            td(sb, TextRender.num(h.get("p99"), ""));
            sb.append("</tr>\n");
        }
        sb.append("</table>\n");
    }

    private static void row(StringBuilder sb, String name, String value) {
        sb.append("<tr>");
        td(sb, name);
        td(sb, value);
        sb.append("</tr>\n");
    }

    private static void td(StringBuilder sb, String text) {
        sb.append("<td>").append(esc(text)).append("</td>");
    }

    // ---- plots -------------------------------------------------------------------------------------

    private static void percentilesOverTime(StringBuilder sb, JsonNode tl) {
        List<String> keys = List.of("p50", "p90", "p99", "max");
        double maxY = 1;
        double minY = Double.MAX_VALUE;
        for (JsonNode n : tl) {
            for (String k : keys) {
                if (!n.get(k).isNull()) {
                    maxY = Math.max(maxY, n.get(k).asDouble());
                    minY = Math.min(minY, Math.max(0.01, n.get(k).asDouble()));
                }
            }
        }
        if (minY == Double.MAX_VALUE) minY = 0.1;
        double lo = Math.pow(10, Math.floor(Math.log10(minY)));
        double hi = Math.pow(10, Math.ceil(Math.log10(maxY)));
        int n = Math.max(2, tl.size());
        open(sb, "latency percentiles per second (ms, log)");
        for (double d = lo; d <= hi * 1.001; d *= 10) {
            double y = logY(d, lo, hi);
            gridY(sb, y, fmt(d));
        }
        axisX(sb, n - 1, "seconds");
        for (int k = 0; k < keys.size(); k++) {
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < tl.size(); i++) {
                JsonNode v = tl.get(i).get(keys.get(k));
                if (v.isNull()) continue;
                pts.append(f(x(i, n - 1))).append(',').append(f(logY(Math.max(lo, v.asDouble()), lo, hi))).append(' ');
            }
            sb.append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"").append(COLORS[k]).append("\" points=\"")
                    .append(pts).append("\"/>\n");
        }
        legend(sb, keys);
        sb.append("</svg>\n");
    }

    private static void histogram(StringBuilder sb, JsonNode buckets) {
        if (buckets.isEmpty()) {
            sb.append("<p>n/a (no requests measured)</p>\n");
            return;
        }
        long maxC = 1;
        for (JsonNode b : buckets) maxC = Math.max(maxC, b.get(1).asLong());
        int n = buckets.size();
        open(sb, "requests per latency bucket (bucket upper bound, ms)");
        for (int g = 0; g <= 4; g++) gridY(sb, T + (H - T - B) * (1 - g / 4.0), Long.toString(maxC * g / 4));
        double bw = (W - L - R) / (double) n;
        for (int i = 0; i < n; i++) {
            long c = buckets.get(i).get(1).asLong();
            double h = (H - T - B) * c / (double) maxC;
            sb.append("<rect fill=\"").append(COLORS[0]).append("\" x=\"").append(f(L + i * bw)).append("\" y=\"")
                    .append(f(H - B - h)).append("\" width=\"").append(f(Math.max(1, bw - 1))).append("\" height=\"")
                    .append(f(h)).append("\"><title>&lt;= ").append(fmt(buckets.get(i).get(0).asDouble()))
                    .append(" ms: ").append(c).append("</title></rect>\n");
            if (i % Math.max(1, n / 10) == 0) {
                text(sb, L + i * bw + bw / 2, H - B + 14, fmt(buckets.get(i).get(0).asDouble()), "middle");
            }
        }
        sb.append("</svg>\n");
    }

    private static void hopStack(StringBuilder sb, JsonNode hops) {
        List<JsonNode> list = new ArrayList<>();
        hops.forEach(list::add);
        if (list.isEmpty()) {
            sb.append("<p>n/a (no Server-Timing in the responses)</p>\n");
            return;
        }
        double total = 0;
        for (JsonNode h : list) total = Math.max(total, h.get("p99").asDouble());
        double sum99 = list.stream().mapToDouble(h -> h.get("p99").asDouble()).sum();
        double scale = (W - L - R - 120) / Math.max(0.001, sum99);
        int height = 140 + 18 * ((list.size() + 3) / 4);
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(height)
                .append("\" role=\"img\"><title>per-hop time stacked at p50 and p99</title>\n");
        String[] pcts = {"p50", "p99"};
        for (int row = 0; row < 2; row++) {
            double x = L;
            double y = 20 + row * 50;
            text(sb, L - 8, y + 20, pcts[row], "end");
            double sum = 0;
            for (int i = 0; i < list.size(); i++) {
                double v = list.get(i).get(pcts[row]).asDouble();
                sum += v;
                double w = v * scale;
                sb.append("<rect fill=\"").append(COLORS[i % COLORS.length]).append("\" x=\"").append(f(x))
                        .append("\" y=\"").append(f(y)).append("\" width=\"").append(f(Math.max(0.5, w)))
                        .append("\" height=\"30\"><title>").append(esc(list.get(i).get("name").asText())).append(' ')
                        .append(pcts[row]).append(' ').append(fmt(v)).append(" ms</title></rect>\n");
                x += w;
            }
            text(sb, x + 6, y + 20, fmt(sum) + " ms (sum)", "start");
        }
        for (int i = 0; i < list.size(); i++) {
            double lx = L + (i % 4) * 190;
            double ly = 130 + (i / 4) * 18;
            sb.append("<rect x=\"").append(f(lx)).append("\" y=\"").append(f(ly - 10)).append("\" width=\"12\" height=\"12\" fill=\"")
                    .append(COLORS[i % COLORS.length]).append("\"/>");
            text(sb, lx + 16, ly, list.get(i).get("name").asText() + " (" + list.get(i).get("kind").asText() + ")", "start");
        }
        sb.append("</svg>\n<p>Each hop's own time (its duration minus the next hop's), data calls at their duration;"
                + " percentiles are per hop, so the stacked sum is an upper bound rather than one request.</p>\n");
    }

    /** Per endpoint, each hop's own time stacked at p50 and p99, one color per hop across endpoints. */
    private static void endpointStacks(StringBuilder sb, JsonNode r) {
        List<String> names = new ArrayList<>();
        List<JsonNode> eps = new ArrayList<>();
        double widest = 0;
        for (JsonNode e : r.get("endpoints")) {
            if (e.path("hops").isEmpty()) continue;
            eps.add(e);
            double sum = 0;
            for (JsonNode h : e.get("hops")) {
                if (!names.contains(h.get("name").asText())) names.add(h.get("name").asText());
                sum += h.get("p99").asDouble();
            }
            widest = Math.max(widest, sum);
        }
        if (eps.isEmpty()) return;
        int label = 150;
        double scale = (W - label - 90) / Math.max(0.001, widest);
        int height = 20 + eps.size() * 44 + 20 + 18 * ((names.size() + 3) / 4);
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(height)
                .append("\" role=\"img\"><title>per endpoint: hop times stacked at p50 and p99</title>\n");
        double y = 14;
        for (JsonNode e : eps) {
            for (String p : List.of("p50", "p99")) {
                text(sb, label - 6, y + 12, e.get("name").asText() + " " + p, "end");
                double x = label;
                double sum = 0;
                for (JsonNode h : e.get("hops")) {
                    double v = h.get(p).asDouble();
                    sum += v;
                    int c = names.indexOf(h.get("name").asText());
                    sb.append("<rect fill=\"").append(COLORS[c % COLORS.length]).append("\" x=\"").append(f(x))
                            .append("\" y=\"").append(f(y)).append("\" width=\"").append(f(Math.max(0.5, v * scale)))
                            .append("\" height=\"16\"><title>").append(esc(e.get("name").asText() + " " + h.get("name").asText()))
                            .append(' ').append(p).append(' ').append(fmt(v)).append(" ms</title></rect>\n");
                    x += v * scale;
                }
                text(sb, x + 6, y + 12, fmt(sum) + " ms", "start");
                y += 20;
            }
            y += 4;
        }
        for (int i = 0; i < names.size(); i++) {
            double lx = L + (i % 4) * 190;
            double ly = y + 16 + (i / 4) * 18;
            sb.append("<rect x=\"").append(f(lx)).append("\" y=\"").append(f(ly - 10))
                    .append("\" width=\"12\" height=\"12\" fill=\"").append(COLORS[i % COLORS.length]).append("\"/>");
            text(sb, lx + 16, ly, names.get(i), "start");
        }
        sb.append("</svg>\n");
    }

    private static void throughput(StringBuilder sb, JsonNode tl) {
        double maxY = 1;
        for (JsonNode n : tl) {
            maxY = Math.max(maxY, n.get("completed").asDouble());
            if (!n.get("targetRps").isNull()) maxY = Math.max(maxY, n.get("targetRps").asDouble());
        }
        maxY *= 1.1;
        int n = Math.max(2, tl.size());
        open(sb, "requests per second: completed, target, errors");
        for (int g = 0; g <= 4; g++) gridY(sb, T + (H - T - B) * (1 - g / 4.0), fmt(maxY * g / 4));
        axisX(sb, n - 1, "seconds");
        String[] keys = {"completed", "targetRps", "errors"};
        for (int k = 0; k < keys.length; k++) {
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < tl.size(); i++) {
                JsonNode v = tl.get(i).get(keys[k]);
                if (v.isNull()) continue;
                pts.append(f(x(i, n - 1))).append(',').append(f(linY(v.asDouble(), maxY))).append(' ');
            }
            sb.append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"").append(k == 2 ? COLORS[3] : COLORS[k])
                    .append(k == 1 ? "\" stroke-dasharray=\"4 3" : "").append("\" points=\"").append(pts).append("\"/>\n");
        }
        legend(sb, List.of("completed", "target", "", "errors"));
        sb.append("</svg>\n");
    }

    private static void open(StringBuilder sb, String title) {
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(H)
                .append("\" role=\"img\"><title>").append(esc(title)).append("</title>\n");
        sb.append("<line x1=\"").append(L).append("\" y1=\"").append(H - B).append("\" x2=\"").append(W - R)
                .append("\" y2=\"").append(H - B).append("\" stroke=\"#444\"/>\n");
    }

    private static void gridY(StringBuilder sb, double y, String label) {
        sb.append("<line x1=\"").append(L).append("\" y1=\"").append(f(y)).append("\" x2=\"").append(W - R)
                .append("\" y2=\"").append(f(y)).append("\" stroke=\"#eee\"/>\n");
        text(sb, L - 6, y + 4, label, "end");
    }

    private static void axisX(StringBuilder sb, int max, String label) {
        int step = Math.max(1, (int) Math.ceil(max / 10.0));
        for (int i = 0; i <= max; i += step) text(sb, x(i, max), H - B + 14, Integer.toString(i), "middle");
        text(sb, (L + W - R) / 2.0, H - 6, label, "middle");
    }

    private static void legend(StringBuilder sb, List<String> keys) {
        for (int k = 0; k < keys.size(); k++) {
            if (keys.get(k).isEmpty()) continue;
            double lx = L + 10 + k * 90;
            sb.append("<rect x=\"").append(f(lx)).append("\" y=\"").append(T - 2).append("\" width=\"12\" height=\"4\" fill=\"")
                    .append(COLORS[k]).append("\"/>");
            text(sb, lx + 16, T + 3, keys.get(k), "start");
        }
    }

    private static void text(StringBuilder sb, double x, double y, String s, String anchor) {
        sb.append("<text x=\"").append(f(x)).append("\" y=\"").append(f(y)).append("\" font-size=\"11\" text-anchor=\"")
                .append(anchor).append("\">").append(esc(s)).append("</text>\n");
    }

    private static double x(int i, int max) {
        return L + (W - L - R) * (max == 0 ? 0 : i / (double) max);
    }

    private static double linY(double v, double max) {
        return H - B - (H - T - B) * (v / max);
    }

    private static double logY(double v, double lo, double hi) {
        return H - B - (H - T - B) * (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String fmt(double v) {
        if (v >= 100) return String.format(Locale.ROOT, "%.0f", v);
        if (v >= 1) return String.format(Locale.ROOT, "%.1f", v);
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
