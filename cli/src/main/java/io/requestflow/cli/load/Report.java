package io.requestflow.cli.load;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.requestflow.engine.http.Json;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report of a run as one JSON tree: the text and HTML renderings read only this, so all three always
 * say the same thing. Latencies are in milliseconds; a figure that the run could not measure is null (the
 * renderings print "n/a").
 */
public final class Report {
    /** The seeds' budgets: overall latency, hit ratios, and each hop's share at p99. */
    public static final double P50_MS = 23;
    public static final double P99_MS = 87;
    public static final double P999_MS = 145;
    public static final double MOST_UNDER_MS = 200;
    /** "Most requests under 200 ms", read as at least this share. */
    public static final double MOST_SHARE = 0.99;
    public static final double EDGE_HIT = 0.95;
    public static final double APP_CACHE_HIT = 0.85;
    /** Per-hop budgets in ms; a hop's figure is its own time at p99 (the budgets add up to about the p99). */
    public static final Map<String, Double> HOP_BUDGET_MS = budgets();

    private static Map<String, Double> budgets() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("dns", 5.0);
        m.put("edge", 15.0);
        m.put("firewall", 2.0);
        m.put("balancer", 2.0);
        m.put("gateway", 3.0);
        m.put("service", 45.0);
        m.put("redis", 0.8);
        m.put("postgres", 12.0);
        return m;
    }

    private Report() {}

    public static ObjectNode of(LoadRun.Result r, Map<String, Map<String, Double>> metricDeltas) {
        Recorder.Snapshot s = r.snapshot();
        Scenario sc = r.scenario();
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("tool", "requestflow load");
        root.put("started", r.started().toString());
        root.put("target", r.target());
        root.put("address", r.address().getAddress().getHostAddress() + ":" + r.address().getPort());
        root.put("mode", sc.users > 0 ? "closed-loop (" + sc.users + " users)" : "open-loop (" + sc.arrival + ")");
        ObjectNode scn = root.putObject("scenario");
        scn.put("rate", sc.rate);
        scn.put("durationSeconds", sc.durationSeconds);
        scn.put("warmupSeconds", sc.warmupSeconds);
        scn.put("rampSeconds", sc.rampSeconds);
        scn.put("arrival", sc.arrival);
        scn.put("users", sc.users);
        scn.put("timeoutMs", sc.timeoutMs);
        scn.put("zipfExponent", sc.zipfExponent);
        scn.put("newConnectionShare", sc.newConnectionShare);
        scn.put("maxConnectionsPerSource", sc.maxConnectionsPerSource);
        scn.put("http2", sc.http2);
        ArrayNode prof = scn.putArray("profile");
        for (Scenario.Phase p : sc.profile) {
            prof.addObject().put("name", p.name()).put("share", p.share()).put("factor", p.factor());
        }
        root.put("login", r.loginNote());

        long errors = s.errorCount();
        ObjectNode req = root.putObject("requests");
        req.put("measured", s.count());
        req.put("ok", s.count() - errors);
        req.put("errors", errors);
        req.put("warmup", s.warmup());
        req.put("sent", r.sent());
        ObjectNode tp = root.putObject("throughput");
        double achieved = s.count() / r.measuredSeconds();
        double target = r.expectedRequests() / r.measuredSeconds();
        tp.put("achievedRps", round(achieved));
        if (sc.users > 0) tp.putNull("targetRps");
        else tp.put("targetRps", round(target));
        if (sc.users > 0 || target == 0) tp.putNull("ratio");
        else tp.put("ratio", round(achieved / target));
        root.set("latencyMs", latency(s.all()));
        root.set("histogram", buckets(s.all()));

        ArrayNode eps = root.putArray("endpoints");
        for (var en : s.endpoints().entrySet()) {
            Recorder.Endpoint e = en.getValue();
            ObjectNode n = eps.addObject();
            n.put("name", en.getKey());
            n.put("count", e.count);
            n.put("errors", e.errors);
            ObjectNode st = n.putObject("statuses");
            e.statuses.forEach((k, v) -> st.put(k.toString(), v));
            n.set("latencyMs", latency(e.latency));
            if (e.timed > 0) n.put("internalCallsPerRequest", round(e.internalCalls / (double) e.timed));
            else n.putNull("internalCallsPerRequest");
            ArrayNode eh = n.putArray("hops");
            e.hops.forEach((name, hist) -> eh.addObject().put("name", name)
                    .put("kind", Boolean.TRUE.equals(s.hopIsCall().get(name)) ? "call" : "hop")
                    .put("count", hist.getTotalCount())
                    .put("p50", ms(hist.getValueAtPercentile(50))).put("p99", ms(hist.getValueAtPercentile(99))));
        }

        ObjectNode err = root.putObject("errors");
        for (Outcome.Kind k : Outcome.Kind.values()) {
            ObjectNode n = err.putObject(k.label());
            n.put("count", s.errors().getOrDefault(k, 0L));
            if (s.examples().containsKey(k)) n.put("example", s.examples().get(k));
        }
        ObjectNode st = root.putObject("statuses");
        s.statuses().forEach((k, v) -> st.put(k.toString(), v));
        ObjectNode regions = root.putObject("regions");
        s.regions().forEach((name, h) -> regions.set(name, latency(h)));
        ObjectNode protocols = root.putObject("protocols");
        s.protocols().forEach(protocols::put);

        ArrayNode hops = root.putArray("hops");
        if (s.dns().getTotalCount() > 0) {
            hops.addObject().put("name", "dns").put("kind", "client").put("count", s.dns().getTotalCount())
                    .put("p50", ms(s.dns().getValueAtPercentile(50))).put("p99", ms(s.dns().getValueAtPercentile(99)));
        }
        for (var h : s.hops().entrySet()) {
            Histogram hist = h.getValue();
            hops.addObject().put("name", h.getKey()).put("kind", s.hopIsCall().get(h.getKey()) ? "call" : "hop")
                    .put("count", hist.getTotalCount())
                    .put("p50", ms(hist.getValueAtPercentile(50))).put("p99", ms(hist.getValueAtPercentile(99)));
        }

        ObjectNode ratios = root.putObject("ratios");
        ratio(ratios, "edgeHit", s.edgeHits(), s.edgeHits() + s.edgeMisses());
        ratio(ratios, "redisHit", s.redisHits(), s.redisHits() + s.redisMisses());
        if (s.timed() > 0) ratios.put("dbQueriesPerRequest", round(s.dbQueries() / (double) s.timed()));
        else ratios.putNull("dbQueriesPerRequest");
        Recorder.Endpoint page = s.endpoints().get("product-page");
        if (page != null && page.timed > 0 && page.internalCalls > 0) {
            ratios.put("productPageFanOut", round(page.internalCalls / (double) page.timed));
        } else {
            ratios.putNull("productPageFanOut");
        }
        ratio(ratios, "replicaReadShare", s.replicaReads(), s.replicaReads() + s.primaryReads());
        ratio(ratios, "newConnectionShare", s.freshConnections(), s.count());
        ratios.put("responsesWithServerTiming", s.timed());

        ArrayNode tl = root.putArray("timeline");
        Schedule schedule = new Schedule(sc);
        for (int i = 0; i < s.timeline().size(); i++) {
            Recorder.Interval in = s.timeline().get(i);
            ObjectNode n = tl.addObject();
            n.put("t", i);
            n.put("phase", schedule.phaseAt(i + 0.5));
            if (sc.users > 0) n.putNull("targetRps");
            else n.put("targetRps", round(i + 0.5 < sc.durationSeconds ? schedule.rateAt(i + 0.5) : 0));
            n.put("completed", in.completed);
            n.put("errors", in.errors);
            boolean any = in.latency.getTotalCount() > 0;
            for (double p : new double[] {50, 90, 99}) {
                String key = "p" + (int) p;
                if (any) n.put(key, ms(in.latency.getValueAtPercentile(p)));
                else n.putNull(key);
            }
            if (any) n.put("max", ms(in.latency.getMaxValue()));
            else n.putNull("max");
        }

        ObjectNode gen = root.putObject("generator");
        gen.put("maxLagMs", round(r.maxLagMs()));
        gen.put("connectionsOpened", r.connectionsOpened());
        gen.put("sources", sc.regions.stream().mapToInt(Scenario.Region::clients).sum());
        gen.put("loadAverageBefore", r.loadBefore());
        gen.put("loadAverageAfter", r.loadAfter());
        gen.put("cores", Runtime.getRuntime().availableProcessors());
        if (metricDeltas != null && !metricDeltas.isEmpty()) root.set("metrics", Json.MAPPER.valueToTree(metricDeltas));
        root.set("verdict", verdict(root, s));
        return root;
    }

    private static ArrayNode verdict(ObjectNode root, Recorder.Snapshot s) {
        ArrayNode v = Json.MAPPER.createArrayNode();
        ObjectNode lat = (ObjectNode) root.get("latencyMs");
        boolean any = s.count() > 0;
        line(v, "p50", "<= " + P50_MS + " ms", any ? lat.get("p50").asDouble() : null, P50_MS, true, " ms");
        line(v, "p99", "<= " + P99_MS + " ms", any ? lat.get("p99").asDouble() : null, P99_MS, true, " ms");
        line(v, "p99.9", "<= " + P999_MS + " ms", any ? lat.get("p99.9").asDouble() : null, P999_MS, true, " ms");
        Double under = any ? s.all().getPercentileAtOrBelowValue((long) (MOST_UNDER_MS * 1000)) / 100.0 : null;
        line(v, "most requests < 200 ms", ">= " + pct(MOST_SHARE) + " under 200 ms", under, MOST_SHARE, false, "");
        ObjectNode ratios = (ObjectNode) root.get("ratios");
        line(v, "edge hit ratio", ">= " + pct(EDGE_HIT), value(ratios, "edgeHit"), EDGE_HIT, false, "");
        line(v, "app cache (Redis) hit ratio", ">= " + pct(APP_CACHE_HIT) + " (seed: 85-90%)",
                value(ratios, "redisHit"), APP_CACHE_HIT, false, "");
        for (var b : HOP_BUDGET_MS.entrySet()) {
            boolean seen = false;
            for (var h : root.get("hops")) {
                String name = h.get("name").asText();
                // every service is held to the service budget on its own line
                boolean matches = b.getKey().equals("service")
                        ? h.get("kind").asText().equals("hop") && !Recorder.FRONT.contains(name)
                        : name.equals(b.getKey()) || name.startsWith(b.getKey() + "-");
                if (!matches) continue;
                seen = true;
                line(v, "hop " + (name.equals(b.getKey()) ? name : b.getKey() + " (" + name + ")") + " p99",
                        "<= " + b.getValue() + " ms", h.get("p99").asDouble(), b.getValue(), true, " ms");
            }
            if (!seen) line(v, "hop " + b.getKey() + " p99", "<= " + b.getValue() + " ms", null, b.getValue(), true, " ms");
        }
        return v;
    }

    private static Double value(ObjectNode n, String key) {
        return n.hasNonNull(key) ? n.get(key).asDouble() : null;
    }

    private static void line(ArrayNode v, String what, String budget, Double figure, double limit, boolean atMost,
                             String unit) {
        ObjectNode n = v.addObject();
        n.put("budget", what);
        n.put("target", budget);
        if (figure == null) {
            n.putNull("figure");
            n.put("verdict", "n/a");
            return;
        }
        n.put("figure", unit.isEmpty() ? pct(figure) : round(figure) + unit);
        n.put("value", round(figure));
        n.put("verdict", (atMost ? figure <= limit : figure >= limit) ? "met" : "missed");
    }

    private static void ratio(ObjectNode n, String key, long part, long whole) {
        if (whole > 0) n.put(key, round4(part / (double) whole));
        else n.putNull(key);
    }

    static ObjectNode latency(Histogram h) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("count", h.getTotalCount());
        if (h.getTotalCount() == 0) {
            for (String k : List.of("p50", "p90", "p99", "p99.9", "max", "mean")) n.putNull(k);
            return n;
        }
        n.put("p50", ms(h.getValueAtPercentile(50)));
        n.put("p90", ms(h.getValueAtPercentile(90)));
        n.put("p99", ms(h.getValueAtPercentile(99)));
        n.put("p99.9", ms(h.getValueAtPercentile(99.9)));
        n.put("max", ms(h.getMaxValue()));
        n.put("mean", round(h.getMean() / 1000.0));
        return n;
    }

    /** The histogram in logarithmic buckets (4 per power of two), as [upper bound ms, count]. */
    static ArrayNode buckets(Histogram h) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        if (h.getTotalCount() == 0) return a;
        List<long[]> rows = new ArrayList<>();
        for (HistogramIterationValue v : h.logarithmicBucketValues(50, Math.pow(2, 0.25))) {
            rows.add(new long[] {v.getValueIteratedTo(), v.getCountAddedInThisIterationStep()});
        }
        int first = 0;
        int last = rows.size();
        while (first < last && rows.get(first)[1] == 0) first++;
        while (last > first && rows.get(last - 1)[1] == 0) last--;
        for (int i = Math.max(0, first - 1); i < last; i++) a.addArray().add(ms(rows.get(i)[0])).add(rows.get(i)[1]);
        return a;
    }

    static double ms(long micros) {
        return round(micros / 1000.0);
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static double round4(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }

    static String pct(double share) {
        return String.format(Locale.ROOT, "%.1f%%", share * 100);
    }
}
