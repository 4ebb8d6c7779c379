package io.requestflow.services.catalog;

import io.requestflow.engine.http.HttpError;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Exchange;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The product images' origin: {@code GET /images/products/{id}.svg}, a small SVG drawn from the id alone
 * (the same id always gives the same bytes), cacheable for 3600 s as static assets are.
 */
final class ProductImage {
    static final long MAX_AGE_SECONDS = 3600;

    private ProductImage() {}

    static Response response(Exchange ex, String file) {
        if (!file.endsWith(".svg")) throw HttpError.notFound("product images are /images/products/{id}.svg");
        long id;
        try {
            id = Long.parseLong(file.substring(0, file.length() - 4));
        } catch (NumberFormatException e) {
            throw HttpError.badRequest("image name must be a positive product id, like 42.svg");
        }
        if (id <= 0) throw HttpError.badRequest("image name must be a positive product id, like 42.svg");
        byte[] svg = svg(id);
        String etag = etag(svg);
        Response r = etag.equals(ex.request().header("if-none-match"))
                ? Response.empty(304) : Response.of(200, "image/svg+xml", svg);
        return r.header("cache-control", "public, max-age=" + MAX_AGE_SECONDS).header("etag", etag)
                .header("surrogate-key", "product-" + id + " images");
    }

    static byte[] svg(long id) {
        long hue = (id * 137) % 360;
        String text = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"240\" height=\"240\" viewBox=\"0 0 240 240\">"
                + "<rect width=\"240\" height=\"240\" fill=\"hsl(" + hue + ",60%,45%)\"/>"
                + "<circle cx=\"120\" cy=\"100\" r=\"" + (30 + id % 40) + "\" fill=\"hsl(" + (hue + 180) % 360
                + ",70%,80%)\"/>"
                + "<text x=\"120\" y=\"210\" font-family=\"sans-serif\" font-size=\"28\" text-anchor=\"middle\""
                + " fill=\"#fff\">product " + id + "</text></svg>\n";
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A strong validator: the first 16 bytes of the body's SHA-256. */
    static String etag(byte[] body) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(body);
            return "\"" + HexFormat.of().formatHex(d, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
