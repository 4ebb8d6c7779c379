package io.requestflow.services;

import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Exchange;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Honest HTTP caching headers: an ETag computed from the body actually sent, the {@code Cache-Control}
 * the caller chose (shared data {@code public, max-age=…}; personal data {@code private}), and 304
 * when the client already holds this exact representation.
 */
public final class CacheHeaders {
    private CacheHeaders() {}

    public static Response json(Exchange ex, byte[] body, String cacheControl) {
        return apply(ex, Response.of(200, "application/json", body), cacheControl);
    }

    public static Response apply(Exchange ex, Response response, String cacheControl) {
        String etag = etag(response.body());
        response.header("etag", etag).header("cache-control", cacheControl);
        String ifNoneMatch = ex.request().header("if-none-match");
        if (ifNoneMatch != null && matches(ifNoneMatch, etag)) {
            return Response.empty(304).header("etag", etag).header("cache-control", cacheControl);
        }
        return response;
    }

    static String etag(byte[] body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            return "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 12)) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean matches(String header, String etag) {
        for (String candidate : header.split(",")) {
            String c = candidate.trim();
            if (c.startsWith("W/")) c = c.substring(2);
            if (c.equals("*") || c.equals(etag)) return true;
        }
        return false;
    }
}
