package io.requestflow.cli.get;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.requestflow.engine.http.Json;

import java.util.Base64;
import java.util.Locale;

/**
 * The {@code --json} report: one object with {@code status}, {@code headers} (lower-case name to value, or
 * to a list when repeated), {@code body} (the whole body as a string; base64 with
 * {@code bodyEncoding: "base64"} when it is not text), {@code json} (the body parsed, when it is JSON),
 * {@code timings} ({@code dns, connect, tls, ttfb, total} in ms, null where not applicable) and {@code hops}
 * ({@code name, dur, self, desc, call, start} per Server-Timing entry, in path order; {@code start} is where the
 * waterfall draws the bar, an estimate since the header carries durations only).
 */
public final class JsonReport {
    private JsonReport() {}

    public static ObjectNode of(ProbeResult r) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("method", r.method());
        root.put("url", r.uri().toString());
        root.put("address", HttpProbe.format(r.address()));
        root.put("dnsServer", r.dnsServer() == null ? null : HttpProbe.format(r.dnsServer()));
        root.put("source", r.source() == null ? null : r.source().getHostAddress());
        root.put("protocol", r.protocol());
        root.put("status", r.status());
        root.put("reason", r.reason());
        ObjectNode headers = root.putObject("headers");
        for (HeaderField h : r.headers()) {
            String name = h.name().toLowerCase(Locale.ROOT);
            JsonNode existing = headers.get(name);
            if (existing == null) {
                headers.put(name, h.value());
            } else if (existing.isArray()) {
                ((ArrayNode) existing).add(h.value());
            } else {
                ArrayNode list = headers.putArray(name);
                list.add(existing.asText()).add(h.value());
            }
        }
        String type = r.header("content-type");
        root.put("bodyBytes", r.body().length);
        if (Bodies.isText(r.body(), type)) {
            root.put("body", r.bodyText());
            JsonNode json = Bodies.json(r.body(), type);
            if (json != null) root.set("json", json);
        } else {
            root.put("body", Base64.getEncoder().encodeToString(r.body()));
            root.put("bodyEncoding", "base64");
        }
        ProbeTimings t = r.timings();
        ObjectNode timings = root.putObject("timings");
        timings.put("dns", round(t.dnsMs()));
        timings.put("connect", round(t.connectMs()));
        timings.put("tls", round(t.tlsMs()));
        timings.put("ttfb", round(t.ttfbMs()));
        timings.put("total", round(t.totalMs()));
        ArrayNode hops = root.putArray("hops");
        for (Waterfall.Row row : Waterfall.rows(r.hops())) {
            ObjectNode hop = hops.addObject();
            hop.put("name", row.name());
            hop.put("dur", round(row.durMs()));
            hop.put("self", round(row.selfMs()));
            hop.put("desc", row.desc());
            hop.put("call", row.call());
            hop.put("start", round(row.startMs()));
        }
        return root;
    }

    /** What {@code --json} prints on stdout when there was no response (the message also goes to stderr). */
    public static ObjectNode error(ProbeException e, String url) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("url", url);
        root.putNull("status");
        root.put("error", e.getMessage());
        root.put("phase", e.phase().name().toLowerCase(Locale.ROOT));
        root.put("timedOut", e.timedOut());
        return root;
    }

    /** Milliseconds to the microsecond, null stays null. */
    private static Double round(Double ms) {
        return ms == null ? null : Math.round(ms * 1000) / 1000.0;
    }
}
