package io.requestflow.cli.get;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One request for {@link HttpProbe}: what to send, where to resolve the host, and how long the whole
 * exchange may take. Invalid input fails here with an {@link IllegalArgumentException} whose message can
 * be shown as is.
 *
 * @param method           the HTTP method, upper case
 * @param uri              an absolute {@code http} or {@code https} URL with a host
 * @param headers          headers to send; they replace the defaults of the same name
 *                         ({@code Host}, {@code User-Agent}, {@code Accept})
 * @param body             the request body, empty for none
 * @param dnsServer        the DNS server that resolves the URL's host (never the system resolver)
 * @param timeoutMs        bound on the whole exchange: lookup, connect, TLS, request and response
 * @param maxResponseBytes a larger response body fails the probe instead of filling the heap
 * @param source           the client's own address for the lookup and the connection (null: the system's
 *                         choice); a loopback address in a {@code dns.regions} range makes it a client there
 */
public record ProbeRequest(String method, URI uri, List<HeaderField> headers, byte[] body,
                           InetSocketAddress dnsServer, long timeoutMs, int maxResponseBytes, InetAddress source) {

    /** The DNS server {@code ./flow up} starts. */
    public static final InetSocketAddress DEFAULT_DNS =
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 5353);
    public static final long DEFAULT_TIMEOUT_MS = 10_000;
    public static final int DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
    public static final String USER_AGENT = "requestflow-get/0.1";

    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    public ProbeRequest {
        if (method == null || !TOKEN.matcher(method).matches()) {
            throw new IllegalArgumentException("'" + method + "' is not an HTTP method");
        }
        method = method.toUpperCase(Locale.ROOT);
        checkUri(uri);
        headers = List.copyOf(headers == null ? List.of() : headers);
        for (HeaderField h : headers) checkHeader(h);
        body = body == null ? new byte[0] : body;
        if (dnsServer == null) throw new IllegalArgumentException("a DNS server address is required");
        if (timeoutMs <= 0) throw new IllegalArgumentException("the timeout must be positive, not " + timeoutMs);
        if (maxResponseBytes <= 0) throw new IllegalArgumentException("maxResponseBytes must be positive");
    }

    public ProbeRequest(String method, URI uri, List<HeaderField> headers, byte[] body, InetSocketAddress dnsServer,
                        long timeoutMs, int maxResponseBytes) {
        this(method, uri, headers, body, dnsServer, timeoutMs, maxResponseBytes, null);
    }

    /** A GET of {@code url} with the defaults: DNS 127.0.0.1:5353, 10 s, 16 MB. */
    public static ProbeRequest get(String url) {
        return new ProbeRequest("GET", parseUrl(url), List.of(), new byte[0], DEFAULT_DNS, DEFAULT_TIMEOUT_MS,
                DEFAULT_MAX_RESPONSE_BYTES);
    }

    /**
     * Parses what a person types: {@code http://host:port/path?q}, {@code https://…}, or just
     * {@code host/path} (taken as {@code http://}).
     */
    public static URI parseUrl(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("the URL is empty");
        String s = text.trim();
        if (!s.contains("://")) s = "http://" + s;
        URI uri;
        try {
            uri = new URI(s);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not a URL: " + e.getReason());
        }
        checkUri(uri);
        return uri;
    }

    public ProbeRequest withMethod(String newMethod) {
        return new ProbeRequest(newMethod, uri, headers, body, dnsServer, timeoutMs, maxResponseBytes, source);
    }

    public ProbeRequest withHeader(String name, String value) {
        List<HeaderField> more = new ArrayList<>(headers);
        more.add(new HeaderField(name, value));
        return new ProbeRequest(method, uri, more, body, dnsServer, timeoutMs, maxResponseBytes, source);
    }

    public ProbeRequest withBody(byte[] newBody) {
        return new ProbeRequest(method, uri, headers, newBody, dnsServer, timeoutMs, maxResponseBytes, source);
    }

    public ProbeRequest withDnsServer(InetSocketAddress server) {
        return new ProbeRequest(method, uri, headers, body, server, timeoutMs, maxResponseBytes, source);
    }

    public ProbeRequest withTimeoutMs(long ms) {
        return new ProbeRequest(method, uri, headers, body, dnsServer, ms, maxResponseBytes, source);
    }

    public ProbeRequest withMaxResponseBytes(int max) {
        return new ProbeRequest(method, uri, headers, body, dnsServer, timeoutMs, max, source);
    }

    public ProbeRequest withSource(InetAddress address) {
        return new ProbeRequest(method, uri, headers, body, dnsServer, timeoutMs, maxResponseBytes, address);
    }

    public boolean tls() {
        return uri.getScheme().equalsIgnoreCase("https");
    }

    /** The host as written in the URL, without IPv6 brackets. */
    public String host() {
        String h = uri.getHost();
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    public int port() {
        return uri.getPort() >= 0 ? uri.getPort() : tls() ? 443 : 80;
    }

    /** The request target: the raw path (at least {@code /}) and query. */
    public String target() {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }

    /** The {@code Host} header: the original host name, with the port when it is not the scheme's default. */
    public String hostHeader() {
        String h = uri.getHost();
        return uri.getPort() < 0 || uri.getPort() == (tls() ? 443 : 80) ? h : h + ":" + uri.getPort();
    }

    @Override
    public String toString() {
        return method + " " + uri;
    }

    private static void checkUri(URI uri) {
        if (uri == null) throw new IllegalArgumentException("the URL is missing");
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            throw new IllegalArgumentException("'" + uri + "' is not an http:// or https:// URL");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("'" + uri + "' has no host (ports must be numeric)");
        }
    }

    private static void checkHeader(HeaderField h) {
        if (h == null || h.name() == null || !TOKEN.matcher(h.name()).matches()) {
            throw new IllegalArgumentException("'" + (h == null ? null : h.name()) + "' is not a header name");
        }
        if (h.value() == null || h.value().indexOf('\r') >= 0 || h.value().indexOf('\n') >= 0
                || h.value().indexOf('\0') >= 0) {
            throw new IllegalArgumentException("the value of header " + h.name() + " has a line break or NUL");
        }
    }
}
