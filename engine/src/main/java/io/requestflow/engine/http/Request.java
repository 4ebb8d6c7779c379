package io.requestflow.engine.http;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request as a hop sees it: method, target, headers and the whole body.
 * Headers are mutable so stages can add or strip them before the request goes on.
 */
public final class Request {
    private final String method;
    private final String uri;
    private final HttpHeaders headers;
    private final byte[] body;
    private final InetSocketAddress remote;
    private final boolean secure;
    /** Headers a proxy adds on the way up (see {@link #forwarded}); null for an ordinary request. */
    private final HttpHeaders added;
    private QueryStringDecoder decoded;

    public Request(String method, String uri, HttpHeaders headers, byte[] body, InetSocketAddress remote) {
        this(method, uri, headers, body, remote, false);
    }

    /** {@code secure}: the request arrived over TLS. */
    public Request(String method, String uri, HttpHeaders headers, byte[] body, InetSocketAddress remote,
                   boolean secure) {
        this(method, uri, headers, body, remote, secure, null);
    }

    private Request(String method, String uri, HttpHeaders headers, byte[] body, InetSocketAddress remote,
                    boolean secure, HttpHeaders added) {
        this.added = added;
        this.secure = secure;
        this.method = method;
        this.uri = uri;
        this.headers = headers;
        this.body = body == null ? new byte[0] : body;
        this.remote = remote;
    }

    /**
     * {@code in} as a proxy sends it on, without copying its headers: the upstream gets {@code in}'s
     * headers minus the hop-by-hop ones and minus those {@code added} replaces, then {@code added}.
     * {@link #headers()} stays {@code in}'s own; the client applies the rest as it writes the request.
     */
    public static Request forwarded(Request in, HttpHeaders added) {
        return new Request(in.method, in.uri, in.headers, in.body, null, false, added);
    }

    /** What {@link #forwarded} adds, or null. */
    public HttpHeaders addedHeaders() {
        return added;
    }

    public static Request of(String method, String uri) {
        return new Request(method, uri, new DefaultHttpHeaders(), new byte[0], null);
    }

    public String method() {
        return method;
    }

    /** The request target as received: path plus query. */
    public String uri() {
        return uri;
    }

    public String path() {
        // a target with no query, fragment or escape is its own path: no decoder made for it (every span asks)
        if (decoded == null && plainPath(uri)) return uri;
        return decoded().path();
    }

    private static boolean plainPath(String uri) {
        if (uri.isEmpty() || uri.charAt(0) != '/') return false;
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '?' || c == '#' || c == '%' || c == ';') return false;
        }
        return true;
    }

    public String query(String name) {
        List<String> values = decoded().parameters().get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    public Map<String, List<String>> queryParameters() {
        return decoded().parameters();
    }

    public HttpHeaders headers() {
        return headers;
    }

    public String header(CharSequence name) {
        return headers.get(name);
    }

    public byte[] body() {
        return body;
    }

    /** The peer of the connection this request arrived on (the previous hop, or the client at the edge). */
    public InetSocketAddress remote() {
        return remote;
    }

    /** Whether the request arrived over TLS on this hop's listener. */
    public boolean secure() {
        return secure;
    }

    /** The Host header without its port, lower-cased. */
    public String host() {
        String host = headers.get("host");
        if (host == null) return "";
        host = host.trim().toLowerCase(java.util.Locale.ROOT);
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end > 0 ? host.substring(0, end + 1) : host;
        }
        int colon = host.indexOf(':');
        return colon >= 0 ? host.substring(0, colon) : host;
    }

    public Request withUri(String newUri) {
        return new Request(method, newUri, headers, body, remote, secure);
    }

    private QueryStringDecoder decoded() {
        if (decoded == null) decoded = new QueryStringDecoder(uri);
        return decoded;
    }

    @Override
    public String toString() {
        return method + " " + uri;
    }
}
