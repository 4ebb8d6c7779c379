package io.requestflow.cli.get;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.requestflow.engine.http.Json;
import io.requestflow.engine.trace.ServerTiming;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The human-readable report of one probe: where the request went, the response (status, headers, the
 * start of the body), the client's timing and the hop-by-hop waterfall from {@code Server-Timing}.
 */
public final class TextReport {
    /** How much of the body is shown; {@code --json} prints all of it. */
    public static final int BODY_PREVIEW_BYTES = 2048;

    private TextReport() {}

    public static String render(ProbeResult r) {
        StringBuilder out = new StringBuilder();
        request(out, r);
        out.append('\n');
        out.append(r.protocol()).append(' ').append(r.status()).append(' ').append(r.reason()).append('\n');
        for (HeaderField h : r.headers()) out.append(h.name()).append(": ").append(h.value()).append('\n');
        out.append('\n');
        body(out, r);
        out.append('\n');
        timing(out, r);
        out.append('\n');
        hops(out, r);
        return out.toString();
    }

    private static void request(StringBuilder out, ProbeResult r) {
        out.append(r.method()).append(' ').append(r.uri()).append('\n');
        String connected = HttpProbe.format(r.address())
                + (r.source() == null ? "" : " from " + r.source().getHostAddress());
        if (r.dnsServer() != null) {
            out.append("  ").append(r.uri().getHost()).append(" resolved to ").append(r.address().getAddress()
                    .getHostAddress()).append(" by DNS ").append(HttpProbe.format(r.dnsServer()))
                    .append("; connected to ").append(connected).append('\n');
        } else {
            out.append("  connected to ").append(connected).append(" (no DNS lookup for ")
                    .append(r.uri().getHost()).append(")\n");
        }
    }

    private static void body(StringBuilder out, ProbeResult r) {
        byte[] body = r.body();
        String type = r.header("content-type");
        if (body.length == 0) {
            out.append("(empty body)\n");
            return;
        }
        if (!Bodies.isText(body, type)) {
            out.append("(binary body, ").append(HttpProbe.size(body.length))
                    .append(type == null ? "" : ", " + type).append("; --json prints it as base64)\n");
            return;
        }
        JsonNode json = Bodies.json(body, type);
        String text;
        if (json != null) {
            try {
                text = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json);
            } catch (JsonProcessingException e) {
                text = r.bodyText();
            }
        } else {
            text = r.bodyText();
        }
        byte[] shown = text.getBytes(StandardCharsets.UTF_8);
        if (shown.length <= BODY_PREVIEW_BYTES) {
            out.append(text);
            if (!text.endsWith("\n")) out.append('\n');
        } else {
            out.append(cut(text, BODY_PREVIEW_BYTES)).append("\n... (first ")
                    .append(HttpProbe.size(BODY_PREVIEW_BYTES)).append(" shown of ").append(HttpProbe.size(body.length))
                    .append(json != null ? " (" + HttpProbe.size(shown.length) + " pretty-printed)" : "")
                    .append("; --json prints all of it)\n");
        }
    }

    /** The longest prefix of {@code text} whose UTF-8 form fits in {@code maxBytes}. */
    private static String cut(String text, int maxBytes) {
        int bytes = 0;
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + n > maxBytes) break;
            bytes += n;
            i += Character.charCount(cp);
        }
        return text.substring(0, i);
    }

    private static void timing(StringBuilder out, ProbeResult r) {
        ProbeTimings t = r.timings();
        out.append(String.format(Locale.ROOT, "%-10s %8s%n", "timing", "ms"));
        line(out, "dns", t.dnsMs(), r.dnsServer() == null ? "no lookup (IP address or localhost)"
                : "lookup at " + HttpProbe.format(r.dnsServer()));
        line(out, "connect", t.connectMs(), "TCP handshake with " + HttpProbe.format(r.address()));
        line(out, "tls", t.tlsMs(), t.tlsMs() == null ? "plain http" : "TLS handshake");
        List<ServerTiming.Entry> hops = r.hops();
        String ttfbNote = "request sent -> first response byte";
        if (!hops.isEmpty() && t.ttfbMs() != null) {
            double inHops = hops.getFirst().durMs();
            double rest = t.ttfbMs() - inHops;
            if (rest >= 0) {
                ttfbNote += String.format(Locale.ROOT, "; %s ms in the hops, %s ms network and client",
                        Waterfall.fmt(inHops), Waterfall.fmt(rest));
            }
        }
        line(out, "ttfb", t.ttfbMs(), ttfbNote);
        line(out, "total", t.totalMs(), "lookup to last byte, " + HttpProbe.size(r.body().length) + " of body");
    }

    private static void line(StringBuilder out, String name, Double ms, String note) {
        out.append(String.format(Locale.ROOT, "  %-8s %8s   %s%n", name, ms == null ? "-" : Waterfall.fmt(ms), note));
    }

    private static void hops(StringBuilder out, ProbeResult r) {
        List<ServerTiming.Entry> hops = r.hops();
        if (hops.isEmpty()) {
            out.append("hops: the response has no Server-Timing header, so there is no hop-by-hop breakdown\n");
            return;
        }
        out.append("hops (from Server-Timing, in path order; self = the hop's own time)\n");
        for (String line : Waterfall.render(hops, Waterfall.BAR_WIDTH)) out.append(line).append('\n');
        String id = r.headers().stream().filter(h -> h.name().equalsIgnoreCase("x-request-id")).map(HeaderField::value)
                .findFirst().orElse("");
        if (id.matches("[0-9a-f]{32}")) {
            out.append("\nevery span of it, work after the answer included: ./flow trace ").append(id).append('\n');
        }
    }
}
