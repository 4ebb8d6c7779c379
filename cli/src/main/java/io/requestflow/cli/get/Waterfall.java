package io.requestflow.cli.get;

import io.requestflow.engine.trace.ServerTiming;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns a {@code Server-Timing} header into a hop-by-hop waterfall. The header lists entries in path
 * order - edge, firewall, balancer, gateway, the service - each hop's own calls (Redis, PostgreSQL, Kafka)
 * right after it. A hop's {@code dur} includes everything after it, so its own ("self") time is its
 * {@code dur} minus the next hop's; the last hop's self time is its {@code dur} minus its calls when they
 * could have run one after another.
 *
 * <p>The bars are drawn nested, each hop inside the one in front of it with its own time split either
 * side, because that is what the header can tell; it carries durations, not start times.
 */
public final class Waterfall {
    /** Default width of the bar column, in characters. */
    public static final int BAR_WIDTH = 40;

    /** Names (or name prefixes before '-', '.', '_', ':') of calls to data services rather than hops. */
    private static final Set<String> CALL_NAMES = Set.of("redis", "postgres", "postgresql", "pg", "db", "database",
            "sql", "jdbc", "kafka", "queue", "cache", "replica", "primary");

    private Waterfall() {}

    /**
     * One line of the waterfall.
     *
     * @param name    the entry's name
     * @param durMs   its duration
     * @param selfMs  the hop's own time, or null for a call or when it cannot be worked out
     * @param desc    the entry's description, or null
     * @param call    true for a call a hop made (drawn indented under it), false for a hop
     * @param startMs where the bar starts, relative to the first hop (an estimate; see the class comment)
     */
    public record Row(String name, double durMs, Double selfMs, String desc, boolean call, double startMs) {}

    /** True if an entry with this name is a call to a data service (Redis, PostgreSQL, …) rather than a hop. */
    public static boolean isCall(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (String call : CALL_NAMES) {
            if (n.equals(call)) return true;
            if (n.startsWith(call) && n.length() > call.length() && "-._:".indexOf(n.charAt(call.length())) >= 0) {
                return true;
            }
        }
        return false;
    }

    private record Group(ServerTiming.Entry hop, List<ServerTiming.Entry> calls) {
        double callSum() {
            return calls.stream().mapToDouble(ServerTiming.Entry::durMs).sum();
        }
    }

    /** The rows in header order, with self times and estimated bar positions. */
    public static List<Row> rows(List<ServerTiming.Entry> entries) {
        List<Group> groups = new ArrayList<>();
        for (ServerTiming.Entry e : entries) {
            // Requestflow's hops mark their calls (by=HOP); for other servers' entries, go by the name
            if (!groups.isEmpty() && (e.isCall() || isCall(e.name()))) {
                groups.getLast().calls().add(e);
            } else {
                groups.add(new Group(e, new ArrayList<>()));
            }
        }
        List<Row> rows = new ArrayList<>();
        double start = 0;
        for (int i = 0; i < groups.size(); i++) {
            Group g = groups.get(i);
            double dur = g.hop().durMs();
            Double self;
            if (i + 1 < groups.size()) {
                double s = dur - groups.get(i + 1).hop().durMs();
                self = s >= -0.005 ? Double.valueOf(Math.max(0, s)) : null; // negative: entries don't nest
            } else {
                double s = dur - g.callSum();
                if (g.calls().isEmpty()) {
                    self = dur;
                } else {
                    self = s >= 0 ? Double.valueOf(s) : null; // calls that overlap: their time can't be told apart
                }
            }
            rows.add(new Row(g.hop().name(), dur, self, g.hop().desc(), false, start));
            boolean sequential = g.callSum() <= dur;
            double callStart = start;
            for (ServerTiming.Entry c : g.calls()) {
                rows.add(new Row(c.name(), c.durMs(), null, c.desc(), true, callStart));
                if (sequential) callStart += c.durMs();
            }
            if (i + 1 < groups.size()) {
                double gap = dur - groups.get(i + 1).hop().durMs();
                if (gap > 0) {
                    double before = gap / 2;
                    if (sequential && g.callSum() <= gap) before = Math.max(before, g.callSum());
                    start += before;
                }
            }
        }
        return rows;
    }

    /** The waterfall as text lines: a heading, then one line per entry; empty when there are no entries. */
    public static List<String> render(List<ServerTiming.Entry> entries, int barWidth) {
        List<Row> rows = rows(entries);
        if (rows.isEmpty()) return List.of();
        int nameWidth = "hop".length();
        double end = 0;
        for (Row r : rows) {
            nameWidth = Math.max(nameWidth, r.name().length() + (r.call() ? 2 : 0));
            end = Math.max(end, r.startMs() + r.durMs());
        }
        double scale = end > 0 ? barWidth / end : 0;
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "  %-" + nameWidth + "s  %9s  %9s  %s", "hop", "dur ms", "self ms",
                " 0" + " ".repeat(Math.max(0, barWidth - 1 - fmt(end).length())) + fmt(end) + " ms"));
        for (Row r : rows) {
            String name = (r.call() ? "  " : "") + r.name();
            String self = r.selfMs() == null ? (r.call() ? "" : "-") : fmt(r.selfMs());
            String line = String.format(Locale.ROOT, "  %-" + nameWidth + "s  %9s  %9s  |%s|", name, fmt(r.durMs()),
                    self, bar(r, scale, barWidth));
            if (r.desc() != null && !r.desc().isEmpty()) line += "  " + r.desc();
            lines.add(line);
        }
        return lines;
    }

    private static String bar(Row r, double scale, int width) {
        char[] cells = new char[width];
        java.util.Arrays.fill(cells, ' ');
        if (scale <= 0) return new String(cells);
        int from = (int) Math.min(width - 1, Math.round(r.startMs() * scale));
        int to = (int) Math.min(width, Math.round((r.startMs() + r.durMs()) * scale));
        if (to <= from) to = from + 1; // a sliver still gets one cell, so every entry shows
        java.util.Arrays.fill(cells, from, to, r.call() ? '=' : '#');
        return new String(cells);
    }

    static String fmt(double ms) {
        return String.format(Locale.ROOT, ms >= 100 ? "%.1f" : "%.2f", ms);
    }
}
