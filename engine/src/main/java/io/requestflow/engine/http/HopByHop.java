package io.requestflow.engine.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Removes the headers that describe one connection and must not be forwarded (RFC 9110 section 7.6.1). */
public final class HopByHop {
    private static final List<String> ALWAYS = List.of(
            "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
            "upgrade", "proxy-authenticate", "proxy-authorization");

    private HopByHop() {}

    public static void strip(HttpHeaders headers) {
        List<String> listed = new ArrayList<>();
        for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : value.split(",")) {
                String name = token.trim().toLowerCase(Locale.ROOT);
                if (!name.isEmpty()) listed.add(name);
            }
        }
        for (String name : ALWAYS) headers.remove(name);
        for (String name : listed) headers.remove(name);
    }
}
