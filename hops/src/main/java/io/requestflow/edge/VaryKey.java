package io.requestflow.edge;

import io.netty.handler.codec.http.HttpHeaders;
import io.requestflow.engine.http.Request;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Secondary cache keys (RFC 9111 section 4.1): a stored response matches a request only when every
 * header its {@code Vary} names has the same value, after joining field lines and normalising whitespace.
 * {@code Vary: *} never matches. Accept-Encoding is left out while the stored body is unencoded: the edge
 * asks the origin for identity bodies and negotiates compression itself.
 */
public final class VaryKey {
    private VaryKey() {}

    public static boolean varyStar(HttpHeaders response) {
        for (String name : names(response)) if (name.equals("*")) return true;
        return false;
    }

    static List<String> names(HttpHeaders response) {
        List<String> vary = response.getAll("vary");
        if (vary.isEmpty()) return List.of();
        return vary.stream().flatMap(v -> java.util.Arrays.stream(v.split(",")))
                .map(s -> s.trim().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty()).distinct().toList();
    }

    /** The request's values for the headers {@code response} varies on. */
    public static Map<String, String> capture(HttpHeaders response, Request request) {
        List<String> names = names(response);
        if (names.isEmpty()) return Map.of();
        Map<String, String> out = new HashMap<>();
        boolean encoded = response.contains("content-encoding");
        for (String name : names) {
            if (name.equals("accept-encoding") && !encoded) continue;
            out.put(name, normalised(request.headers(), name));
        }
        return out;
    }

    public static boolean matches(StoredResponse stored, Request request) {
        if (stored.varyValues().isEmpty()) return true;
        for (Map.Entry<String, String> e : stored.varyValues().entrySet()) {
            if (!Objects.equals(e.getValue(), normalised(request.headers(), e.getKey()))) return false;
        }
        return true;
    }

    private static String normalised(HttpHeaders headers, String name) {
        List<String> lines = headers.getAll(name);
        if (lines.isEmpty()) return null;
        return String.join(",", lines).replaceAll("\\s*,\\s*", ",").replaceAll("\\s+", " ").trim();
    }
}
