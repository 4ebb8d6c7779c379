package io.requestflow.engine.http;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

import java.nio.charset.StandardCharsets;

/** One HTTP response with its whole body; headers are mutable so stages can decorate it on the way back. */
public final class Response {
    private final int status;
    private final HttpHeaders headers;
    private final byte[] body;

    public Response(int status, HttpHeaders headers, byte[] body) {
        this.status = status;
        this.headers = headers;
        this.body = body == null ? new byte[0] : body;
    }

    public static Response of(int status, String contentType, byte[] body) {
        HttpHeaders headers = new DefaultHttpHeaders();
        if (contentType != null) headers.set(HttpHeaderNames.CONTENT_TYPE, contentType);
        return new Response(status, headers, body);
    }

    public static Response text(int status, String text) {
        return of(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    public static Response json(int status, Object value) {
        return of(status, "application/json", Json.bytes(value));
    }

    public static Response empty(int status) {
        return new Response(status, new DefaultHttpHeaders(), new byte[0]);
    }

    public int status() {
        return status;
    }

    public HttpHeaders headers() {
        return headers;
    }

    public byte[] body() {
        return body;
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    public Response header(CharSequence name, Object value) {
        headers.set(name, value);
        return this;
    }

    @Override
    public String toString() {
        return status + " (" + body.length + " bytes)";
    }
}
