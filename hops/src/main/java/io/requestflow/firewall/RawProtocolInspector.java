package io.requestflow.firewall;

import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.server.HeaderLine;
import io.requestflow.engine.server.RawHead;
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
    public Response inspect(RawHead head, InetSocketAddress peer) {
        if (head.lineProblem() != null) return malformed(head.lineProblem() + " in the request head");
        String requestLine = head.requestLine();
        // METHOD SP target SP version, exactly two spaces, read in place (no array of parts per request)
        int sp1 = requestLine.indexOf(' ');
        int sp2 = sp1 < 0 ? -1 : requestLine.indexOf(' ', sp1 + 1);
        if (sp2 < 0 || requestLine.indexOf(' ', sp2 + 1) >= 0 || sp1 == 0 || !isToken(requestLine, 0, sp1)
                || sp2 == sp1 + 1 || !isVersion(requestLine, sp2 + 1) || hasControl(requestLine, sp1 + 1, sp2)) {
            return malformed("the request line is not METHOD SP target SP HTTP/x.y");
        }
        String version = requestLine.substring(sp2 + 1);
        if (!ALLOWED_VERSIONS.contains(version)) {
            return refused(peer, requestLine, "RAW-110", "HTTP version " + version + " not allowed");
        }
        int contentLengths = 0;
        int transferEncodings = 0;
        String te = null;
        byte[] bytes = head.bytes();
        for (int k = 0; k < head.headerCount(); k++) {
            int start = head.start(k); // each line read where it lies in the head's bytes
            int end = head.end(k);
            if (end > start && (bytes[start] == ' ' || bytes[start] == '\t')) {
                return malformed("obsolete line folding");
            }
            int colon = HeaderLine.colon(bytes, start, end);
            if (colon <= start) return malformed("a header line without a name and colon");
            for (int i = start; i < colon; i++) {
                byte b = bytes[i];
                if (b < 0) return malformed("non-ASCII character in a header name");
                if (!isTokenChar((char) b)) return malformed("invalid character in a header name");
            }
            // the name is token characters only (checked above); only these two headers' values are read
            if (HeaderLine.named(bytes, start, colon, "content-length")) {
                contentLengths++;
                if (!digits(bytes, colon + 1, end)) return malformed("Content-Length is not a number");
            } else if (HeaderLine.named(bytes, start, colon, "transfer-encoding")) {
                transferEncodings++;
                te = new String(bytes, colon + 1, end - colon - 1, StandardCharsets.ISO_8859_1).trim();
            }
        }
        if (transferEncodings > 0 && contentLengths > 0) {
            return refused(peer, requestLine, "RAW-120", "both Content-Length and Transfer-Encoding");
        }
        if (contentLengths > 1) return refused(peer, requestLine, "RAW-121", "repeated Content-Length");
        if (transferEncodings > 1 || (te != null && !te.equalsIgnoreCase("chunked"))) {
            return refused(peer, requestLine, "RAW-122", "Transfer-Encoding other than a single chunked");
        }
        if (te != null && version.equals("HTTP/1.0")) {
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

    private static boolean hasControl(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < 0x21 || c == 0x7f) return true;
        }
        return false;
    }

    /** One or more token characters (RFC 9110 section 5.6.2): what a method is. */
    static boolean isToken(String s) {
        return isToken(s, 0, s.length());
    }

    /** {@link #isToken} for {@code s[from, to)}. */
    private static boolean isToken(String s, int from, int to) {
        if (from >= to) return false;
        for (int i = from; i < to; i++) if (!isTokenChar(s.charAt(i))) return false;
        return true;
    }

    /** {@code HTTP/} and a digit, a dot and a digit. */
    static boolean isVersion(String s) {
        return isVersion(s, 0);
    }

    /** {@link #isVersion} for {@code s} from {@code from} to its end. */
    private static boolean isVersion(String s, int from) {
        return s.length() - from == 8 && s.startsWith("HTTP/", from) && isDigit(s.charAt(from + 5))
                && s.charAt(from + 6) == '.' && isDigit(s.charAt(from + 7));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$%&'*+.^_`|~-".indexOf(c) >= 0;
    }

    /** The value {@code line[from, to)}, without the blanks and controls around it, is 1 to 18 ASCII digits. */
    private static boolean digits(byte[] line, int from, int to) {
        while (from < to && (line[from] & 0xff) <= ' ') from++;
        while (to > from && (line[to - 1] & 0xff) <= ' ') to--;
        if (to - from < 1 || to - from > 18) return false;
        for (int i = from; i < to; i++) if (line[i] < '0' || line[i] > '9') return false;
        return true;
    }
}
