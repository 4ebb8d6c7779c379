package io.requestflow.firewall;

import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.server.HeaderLine;
import io.requestflow.engine.server.RawRequestInspector;
import io.requestflow.firewall.waf.AuditLog;
import io.requestflow.firewall.waf.Match;
import io.requestflow.firewall.waf.Severity;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * Protocol validation of the bytes as received, before the HTTP codec normalises them: the request
 * line's shape and version, line endings, obsolete line folding, header-name characters, and the
 * request-smuggling shapes (Content-Length with Transfer-Encoding, repeated Content-Length, any
 * Transfer-Encoding but a plain "chunked"). Malformed messages get 400; smuggling shapes and
 * disallowed versions are refused as attacks (403 with an incident id, and an audit line).
 */
public final class RawProtocolInspector implements RawRequestInspector {
    private static final Set<String> ALLOWED_VERSIONS = Set.of("HTTP/1.0", "HTTP/1.1");

    private final AuditLog audit;

    public RawProtocolInspector(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public Response inspect(String requestLine, List<byte[]> headerLines, String lineProblem, InetSocketAddress peer) {
        if (lineProblem != null) return malformed(lineProblem + " in the request head");
        String[] parts = requestLine.split(" ", -1);
        if (parts.length != 3 || !isToken(parts[0]) || parts[1].isEmpty() || !isVersion(parts[2])
                || hasControl(parts[1])) {
            return malformed("the request line is not METHOD SP target SP HTTP/x.y");
        }
        if (!ALLOWED_VERSIONS.contains(parts[2])) {
            return refused(peer, requestLine, "RAW-110", "HTTP version " + parts[2] + " not allowed");
        }
        int contentLengths = 0;
        int transferEncodings = 0;
        String te = null;
        for (byte[] line : headerLines) {
            if (line.length > 0 && (line[0] == ' ' || line[0] == '\t')) {
                return malformed("obsolete line folding");
            }
            int colon = HeaderLine.colon(line);
            if (colon <= 0) return malformed("a header line without a name and colon");
            for (int i = 0; i < colon; i++) {
                byte b = line[i];
                if (b < 0) return malformed("non-ASCII character in a header name");
                if (!isTokenChar((char) b)) return malformed("invalid character in a header name");
            }
            // the name is token characters only (checked above); only these two headers' values are read
            if (HeaderLine.named(line, colon, "content-length")) {
                contentLengths++;
                if (!digits(line, colon + 1)) return malformed("Content-Length is not a number");
            } else if (HeaderLine.named(line, colon, "transfer-encoding")) {
                transferEncodings++;
                te = new String(line, colon + 1, line.length - colon - 1, StandardCharsets.ISO_8859_1).trim();
            }
        }
        if (transferEncodings > 0 && contentLengths > 0) {
            return refused(peer, requestLine, "RAW-120", "both Content-Length and Transfer-Encoding");
        }
        if (contentLengths > 1) return refused(peer, requestLine, "RAW-121", "repeated Content-Length");
        if (transferEncodings > 1 || (te != null && !te.equalsIgnoreCase("chunked"))) {
            return refused(peer, requestLine, "RAW-122", "Transfer-Encoding other than a single chunked");
        }
        if (te != null && parts[2].equals("HTTP/1.0")) {
            return refused(peer, requestLine, "RAW-123", "Transfer-Encoding in HTTP/1.0");
        }
        return null;
    }

    @Override
    public Response badFraming(String reason, InetSocketAddress peer) {
        return malformed(reason);
    }

    private static Response malformed(String why) {
        return Problem.badRequest("malformed HTTP request: " + why);
    }

    private Response refused(InetSocketAddress peer, String requestLine, String rule, String why) {
        String incident = WafStage.newIncidentId();
        String[] parts = requestLine.split(" ");
        audit.record(peer == null ? null : peer.getAddress().getHostAddress(), null, incident,
                parts.length > 0 ? parts[0] : "", parts.length > 1 ? parts[1] : "",
                List.of(new Match(rule, Severity.CRITICAL, "REQUEST_HEADERS", why)), Severity.CRITICAL.score, "block");
        Response r = WafStage.blocked(incident, incident);
        r.headers().set("connection", "close");
        return r;
    }

    private static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x21 || c == 0x7f) return true;
        }
        return false;
    }

    /** One or more token characters (RFC 9110 section 5.6.2): what a method is. */
    static boolean isToken(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) if (!isTokenChar(s.charAt(i))) return false;
        return true;
    }

    /** {@code HTTP/} and a digit, a dot and a digit. */
    static boolean isVersion(String s) {
        return s.length() == 8 && s.startsWith("HTTP/") && isDigit(s.charAt(5)) && s.charAt(6) == '.' && isDigit(s.charAt(7));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$%&'*+.^_`|~-".indexOf(c) >= 0;
    }

    /** The value from {@code from}, without the blanks and controls around it, is 1 to 18 ASCII digits. */
    private static boolean digits(byte[] line, int from) {
        int to = line.length;
        while (from < to && (line[from] & 0xff) <= ' ') from++;
        while (to > from && (line[to - 1] & 0xff) <= ' ') to--;
        if (to - from < 1 || to - from > 18) return false;
        for (int i = from; i < to; i++) if (line[i] < '0' || line[i] > '9') return false;
        return true;
    }
}
