package io.requestflow.edge;

import io.netty.handler.codec.http.HttpHeaders;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/**
 * Content negotiation for gzip (brotli would need a native library; no pure-Java encoder is maintained
 * on Maven Central, so the edge offers gzip only). Text-like types compress; images other than SVG,
 * archives and already-encoded bodies do not.
 */
public final class Gzip {
    private Gzip() {}

    /** Whether the client's Accept-Encoding accepts gzip (a q=0 refuses it). */
    public static boolean accepted(String acceptEncoding) {
        if (acceptEncoding == null) return false;
        for (String part : acceptEncoding.split(",")) {
            String[] p = part.trim().split(";");
            String coding = p[0].trim().toLowerCase(Locale.ROOT);
            if (!coding.equals("gzip") && !coding.equals("x-gzip") && !coding.equals("*")) continue;
            for (int i = 1; i < p.length; i++) {
                String param = p[i].trim().toLowerCase(Locale.ROOT);
                if (param.startsWith("q=")) {
                    try {
                        if (Double.parseDouble(param.substring(2)) <= 0) return false;
                    } catch (NumberFormatException e) {
                        return false;
                    }
                }
            }
            return true;
        }
        return false;
    }

    /** Whether this response's body is worth compressing. */
    public static boolean compressible(HttpHeaders headers, int length, int minBytes) {
        if (length < minBytes || headers.contains("content-encoding")) return false;
        String type = headers.get("content-type");
        if (type == null) return false;
        type = type.toLowerCase(Locale.ROOT);
        return type.startsWith("text/") || type.startsWith("application/json") || type.contains("+json")
                || type.contains("+xml") || type.startsWith("application/xml") || type.startsWith("image/svg+xml")
                || type.startsWith("application/javascript");
    }

    public static byte[] compress(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, body.length / 3));
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 8192)) {
            gz.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory streams do not fail
        }
        return out.toByteArray();
    }

    /** Adds Accept-Encoding to Vary unless it is already named. */
    public static void varyOnEncoding(HttpHeaders headers) {
        for (String v : headers.getAll("vary")) {
            for (String name : v.split(",")) {
                String n = name.trim();
                if (n.equalsIgnoreCase("accept-encoding") || n.equals("*")) return;
            }
        }
        headers.add("vary", "Accept-Encoding");
    }

    /** A strong ETag becomes weak for the encoded form: the bytes differ from the identity body's. */
    public static String weakened(String etag) {
        return etag == null || etag.startsWith("W/") ? etag : "W/" + etag;
    }
}
