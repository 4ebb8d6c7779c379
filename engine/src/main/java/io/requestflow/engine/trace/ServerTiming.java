package io.requestflow.engine.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code Server-Timing} header (W3C Server Timing): each hop adds {@code name;dur=ms;desc="…"}.
 * Hops put their entry in front of what came back from upstream, so the header reads in path order:
 * edge, firewall, balancer, gateway, the service, then the service's own calls. A call a hop made
 * (Redis, PostgreSQL, a service the page fans out to) carries {@code by=HOP}, so a reader can tell the
 * calls of a hop from the next hop whatever their names.
 */
public final class ServerTiming {
    public static final String HEADER = "server-timing";

    private ServerTiming() {}

    /** One entry; {@code by} names the hop that made this call, null for a hop's own entry. */
    public record Entry(String name, double durMs, String desc, String by) {
        public Entry(String name, double durMs, String desc) {
            this(name, durMs, desc, null);
        }

        public boolean isCall() {
            return by != null;
        }

        public String format() {
            return appendTo(new StringBuilder()).toString();
        }

        public StringBuilder appendTo(StringBuilder sb) {
            return append(sb, name, durMs, desc, by);
        }
    }

    /** Appends one entry to {@code sb}: how a hop builds its whole header value without intermediate strings. */
    public static StringBuilder append(StringBuilder sb, String name, double durMs, String desc, String by) {
        sb.append(name).append(";dur=");
        appendTwoDecimals(sb, durMs);
        if (desc != null && !desc.isEmpty()) {
            sb.append(";desc=\"");
            if (desc.indexOf('"') < 0 && desc.indexOf('\\') < 0) {
                sb.append(desc); // the usual description (an instance's name) needs no change: one copy
            } else {
                for (int i = 0; i < desc.length(); i++) {
                    char c = desc.charAt(i);
                    if (c == '\\') continue;
                    sb.append(c == '"' ? '\'' : c);
                }
            }
            sb.append('"');
        }
        if (by != null) sb.append(";by=").append(by);
        return sb;
    }

    /** {@code %.2f} without a Formatter: this runs on every request of every hop. */
    static void appendTwoDecimals(StringBuilder sb, double value) {
        if (!(value >= 0) || value > 1e12) { // negative, NaN or absurd: let the JDK spell it
            sb.append(String.format(Locale.ROOT, "%.2f", value));
            return;
        }
        long hundredths = Math.round(value * 100);
        sb.append(hundredths / 100).append('.');
        long frac = hundredths % 100;
        if (frac < 10) sb.append('0');
        sb.append(frac);
    }

    public static String format(List<Entry> entries) {
        StringBuilder sb = new StringBuilder();
        for (Entry e : entries) {
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(e.format());
        }
        return sb.toString();
    }

    /** Prepends {@code own} to an existing header value (which may be null). */
    public static String prepend(String own, String existing) {
        return existing == null || existing.isBlank() ? own : own + ", " + existing;
    }

    /** Parses a header value into entries, tolerating unknown parameters and malformed parts. */
    public static List<Entry> parse(String header) {
        List<Entry> out = new ArrayList<>();
        if (header == null) return out;
        for (String part : splitOutsideQuotes(header, ',')) {
            List<String> params = splitOutsideQuotes(part, ';');
            if (params.isEmpty() || params.getFirst().isBlank()) continue;
            String name = params.getFirst().trim();
            double dur = 0;
            String desc = null;
            String by = null;
            for (String p : params.subList(1, params.size())) {
                int eq = p.indexOf('=');
                if (eq < 0) continue;
                String key = p.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                String value = p.substring(eq + 1).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                if (key.equals("dur")) {
                    try {
                        dur = Double.parseDouble(value);
                    } catch (NumberFormatException ignored) {
                        // a malformed duration counts as zero rather than losing the entry
                    }
                } else if (key.equals("desc")) {
                    desc = value;
                } else if (key.equals("by") && !value.isEmpty()) {
                    by = value;
                }
            }
            out.add(new Entry(name, dur, desc, by));
        }
        return out;
    }

    private static List<String> splitOutsideQuotes(String s, char sep) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') quoted = !quoted;
            if (c == sep && !quoted) {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (!cur.isEmpty()) parts.add(cur.toString());
        return parts;
    }
}
