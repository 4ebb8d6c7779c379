package io.requestflow.engine.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * RFC 9457 problem details: every error a hop produces is one of these, with a status and a
 * human-readable detail, never a stack trace.
 */
public final class Problem {
    public static final String CONTENT_TYPE = "application/problem+json";

    private Problem() {}

    public static Response of(int status, String title, String detail) {
        return of(status, title, detail, Map.of());
    }

    /** A problem with extension members (for example {@code hop}, {@code requestId}). */
    public static Response of(int status, String title, String detail, Map<String, ?> extensions) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", title);
        body.put("status", status);
        if (detail != null) body.put("detail", detail);
        body.putAll(extensions);
        return Response.of(status, CONTENT_TYPE, Json.bytes(body));
    }

    public static Response badRequest(String detail) {
        return of(400, "Bad Request", detail);
    }

    public static Response notFound(String detail) {
        return of(404, "Not Found", detail);
    }

    public static Response unauthorized(String detail) {
        Response r = of(401, "Unauthorized", detail);
        r.headers().set("www-authenticate", "Bearer");
        return r;
    }

    public static Response forbidden(String detail) {
        return of(403, "Forbidden", detail);
    }

    public static Response internal(String detail) {
        return of(500, "Internal Server Error", detail);
    }
}
