package io.requestflow.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One trace's spans (as the admin ports' {@code /spans} return them) drawn as a tree on a time line:
 * each span under its parent, with its start from the beginning of the trace, its duration and a bar.
 * Unlike Server-Timing, spans carry start times, so work done after the answer (the queue) shows too.
 */
public final class SpanTree {
    private SpanTree() {}

    public record Span(String id, String parent, String service, String name, String kind, long startNanos, double durMs,
                String status) {
        static Span of(JsonNode n) {
            String parent = n.path("parentSpanId").asText("");
            return new Span(n.path("spanId").asText(), parent.isEmpty() || parent.matches("0+") ? null : parent,
                    n.path("service").asText(""), n.path("name").asText(), n.path("kind").asText(""),
                    n.path("startEpochNanos").asLong(), n.path("durationMs").asDouble(), n.path("status").asText(""));
        }
    }

    /** Spans from every source, each once. */
    public static List<Span> merge(List<JsonNode> answers) {
        Map<String, Span> byId = new LinkedHashMap<>();
        for (JsonNode answer : answers) {
            for (JsonNode n : answer) byId.putIfAbsent(n.path("spanId").asText(), Span.of(n));
        }
        return new ArrayList<>(byId.values());
    }

    static List<String> render(List<Span> spans, int width) {
        if (spans.isEmpty()) return List.of();
        long t0 = spans.stream().mapToLong(Span::startNanos).min().orElse(0);
        double end = spans.stream().mapToDouble(s -> (s.startNanos() - t0) / 1e6 + s.durMs()).max().orElse(0);
        double scale = end <= 0 ? 0 : width / end;
        Map<String, Span> byId = new HashMap<>();
        for (Span s : spans) byId.put(s.id(), s);
        Map<String, List<Span>> children = new HashMap<>();
        List<Span> roots = new ArrayList<>();
        for (Span s : spans) {
            // a span whose parent is not here (another process not asked, or already gone) starts a root
            if (s.parent() == null || !byId.containsKey(s.parent())) roots.add(s);
            else children.computeIfAbsent(s.parent(), k -> new ArrayList<>()).add(s);
        }
        Comparator<Span> byStart = Comparator.comparingLong(Span::startNanos);
        roots.sort(byStart);
        children.values().forEach(list -> list.sort(byStart));
        List<String[]> rows = new ArrayList<>();
        for (Span root : roots) walk(root, 0, t0, scale, width, children, rows);
        int labelWidth = rows.stream().mapToInt(r -> r[0].length()).max().orElse(10);
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%-" + labelWidth + "s %9s %9s   %-" + width + "s  %s", "span (service)",
                "start ms", "dur ms", "0 .. " + fmt(end) + " ms", "kind"));
        for (String[] r : rows) lines.add(String.format(Locale.ROOT, "%-" + labelWidth + "s %s", r[0], r[1]));
        return lines;
    }

    /** Depth-first: each row is {label, the rest of its line}. */
    private static void walk(Span s, int depth, long t0, double scale, int width, Map<String, List<Span>> children,
                             List<String[]> rows) {
        double start = (s.startNanos() - t0) / 1e6;
        String label = "  ".repeat(depth) + s.name() + (s.service().isEmpty() ? "" : " (" + s.service() + ")");
        rows.add(new String[] {label, String.format(Locale.ROOT, "%9s %9s  |%s| %s%s", fmt(start), fmt(s.durMs()),
                bar(start, s.durMs(), scale, width), s.kind().toLowerCase(Locale.ROOT),
                "ERROR".equals(s.status()) ? " ERROR" : "")});
        for (Span c : children.getOrDefault(s.id(), List.of())) walk(c, depth + 1, t0, scale, width, children, rows);
    }

    private static String bar(double start, double dur, double scale, int width) {
        char[] cells = new char[width];
        java.util.Arrays.fill(cells, ' ');
        if (scale <= 0) return new String(cells);
        int from = (int) Math.min(width - 1, Math.round(start * scale));
        int to = (int) Math.min(width, Math.round((start + dur) * scale));
        java.util.Arrays.fill(cells, from, Math.max(to, from + 1), '#');
        return new String(cells);
    }

    static String fmt(double ms) {
        return String.format(Locale.ROOT, ms >= 100 ? "%.1f" : "%.2f", ms);
    }
}
