package io.requestflow.firewall.waf.rules;

import io.requestflow.engine.http.Request;
import io.requestflow.firewall.waf.BodyParser;
import io.requestflow.firewall.waf.Inspection;
import io.requestflow.firewall.waf.Match;
import io.requestflow.firewall.waf.RuleFamily;
import io.requestflow.firewall.waf.Severity;
import io.requestflow.firewall.waf.Target;
import io.requestflow.firewall.waf.WafConfig;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.requestflow.firewall.waf.Severity.CRITICAL;
import static io.requestflow.firewall.waf.Severity.NOTICE;
import static io.requestflow.firewall.waf.Severity.WARNING;

/**
 * Protocol enforcement on the decoded request: encodings (percent, UTF-8), framing headers that
 * contradict the method, Content-Type policy, header policy, argument limits, restricted extensions.
 * What can only be seen in the raw bytes is checked earlier by {@code RawProtocolInspector}.
 */
public final class ProtocolRules implements RuleFamily {
    private static final Pattern CONTENT_TYPE = Pattern.compile("^[\\w/.+*-]+(?:\\s?;\\s*(?:action|boundary|charset|"
            + "component|start(?:-info)?|type|version)\\s?=\\s?['\"\\w.()+,/:=?<>@#*-]+)*$");
    private static final Set<String> ALLOWED_TYPES = Set.of("application/x-www-form-urlencoded", "multipart/form-data",
            "multipart/related", "text/xml", "application/xml", "application/soap+xml", "application/json",
            "application/cloudevents+json", "application/cloudevents-batch+json", "text/plain",
            "application/problem+json", "application/merge-patch+json");
    private static final Set<String> ALLOWED_CHARSETS = Set.of("utf-8", "iso-8859-1", "iso-8859-15", "windows-1252");
    private static final Set<String> RESTRICTED_HEADERS = Set.of("proxy", "lock-token", "content-range", "if",
            "x-http-method-override", "x-http-method", "x-method-override", "x-middleton", "request-range",
            "x-up-devcap-post-charset");
    private static final Pattern RESTRICTED_EXTENSION = Pattern.compile("\\.(?:asa|asax|ascx|backup|bak|bat|cdx|cer|"
            + "cfg|cmd|com|config|conf|cs|csproj|csr|dat|db|dbf|dll|dos|htr|htw|ida|idc|idq|inc|ini|key|licx|lnk|"
            + "log|mdb|old|pass|pdb|pol|printer|pwd|rdb|resources|resx|sql|swp|sys|vb|vbs|vbproj|vsdisco|"
            + "webinfo|xsd|xsx|sqlite|sqlite3|pem|kdbx|git|svn|orig|save|tmp|temp)$");
    private static final Pattern BACKUP = Pattern.compile("(?:~|\\.(?:bak|old|orig|swp|save|tmp|backup))$|\\.\\w+~/");
    /** Where matches of these can start (see {@link FirstChars}): searched only from those positions. */
    private static final FirstChars RESTRICTED_EXTENSION_START = FirstChars.of(RESTRICTED_EXTENSION.pattern());
    private static final FirstChars BACKUP_START = FirstChars.of(BACKUP.pattern());
    private static final Pattern METHOD_PARAM = Pattern.compile("^(?:_method|_http_method|x-http-method)$");
    private static final Pattern METHODS = Pattern.compile("get|post|put|delete|patch|head|options|trace|connect|"
            + "propfind|proppatch|mkcol|copy|move|lock|unlock|search|purge");
    private static final Pattern CACHE_CONTROL = Pattern.compile("^(?:\\s*(?:max-age=\\d+|max-stale(?:=\\d+)?|"
            + "min-fresh=\\d+|no-cache|no-store|no-transform|only-if-cached)\\s*(?:,|$))+$");
    private static final Pattern ENTITY = Pattern.compile("&(?:[a-zA-Z]+|#\\d+|#x[0-9a-fA-F]+);");
    private static final Pattern SUSPICIOUS_NAME = Pattern.compile("[=;'\"\\\\<>]");
    private static final Pattern MULTIPART_NAME = Pattern.compile("(?i)\\b(?:file)?name=\"([^\"]*)\"");

    private static final Pattern DIGITS = Pattern.compile("\\d+");
    private static final Pattern NUMERIC_HOST = Pattern.compile("[\\d.:\\[\\]]+");
    private static final Pattern RANGE = Pattern.compile("(\\d+)-(\\d+)");
    private static final Pattern CHARSET = Pattern.compile("charset\\s*=\\s*[\"']?([^\\s;\"',]*)");

    private final WafConfig config;

    public ProtocolRules(WafConfig config) {
        this.config = config;
    }

    @Override
    public String prefix() {
        return "PROTO";
    }

    @Override
    public void inspect(Inspection in, int paranoia, List<Match> out) {
        Request r = in.request();
        String uri = r.uri();
        String method = r.method();
        // percent-encoding and UTF-8 (overlong forms included) in the target and in form bodies
        int escapes = PercentEscapes.of(uri);
        int bodyEscapes = in.bodyKind() == BodyParser.Kind.FORM
                ? PercentEscapes.of(new String(r.body(), StandardCharsets.ISO_8859_1)) : 0;
        if ((escapes & PercentEscapes.BAD_ESCAPE) != 0) out.add(new Match("PROTO-100", CRITICAL, "URI", "invalid % escape"));
        if ((bodyEscapes & PercentEscapes.BAD_ESCAPE) != 0) {
            out.add(new Match("PROTO-101", CRITICAL, "BODY", "invalid % escape"));
        }
        if (((escapes | bodyEscapes) & PercentEscapes.NOT_UTF8) != 0) {
            out.add(new Match("PROTO-110", CRITICAL, "URI", "invalid or overlong UTF-8"));
        }
        if ((escapes & PercentEscapes.FULL_WIDTH) != 0) {
            out.add(new Match("PROTO-111", CRITICAL, "URI", "full-width %u encoding"));
        }
        if (uri.indexOf('#') >= 0) out.add(new Match("PROTO-112", CRITICAL, "URI", "fragment sent to the server"));
        // framing headers against the method
        String cl = in.header("content-length");
        if (cl != null && !DIGITS.matcher(cl.trim()).matches()) {
            out.add(new Match("PROTO-120", CRITICAL, "HEADER:content-length", "not a number"));
        }
        boolean hasBody = r.body().length > 0 || (cl != null && !cl.trim().equals("0"));
        if ((method.equals("GET") || method.equals("HEAD")) && hasBody) {
            out.add(new Match("PROTO-121", CRITICAL, "BODY", method + " with a body"));
        }
        if (method.equals("POST") && cl == null && in.header("transfer-encoding") == null) {
            out.add(new Match("PROTO-122", WARNING, "HEADER:content-length", "POST without a length"));
        }
        String ct = in.header("content-type");
        if (hasBody && ct == null && paranoia >= 1 && r.body().length > 0) {
            out.add(new Match("PROTO-123", paranoia >= 2 ? CRITICAL : NOTICE, "HEADER:content-type", "body without a type"));
        }
        // Host
        String host = in.header("host");
        if (host == null) {
            out.add(new Match("PROTO-130", WARNING, "HEADER:host", "missing"));
        } else if (host.isBlank()) {
            out.add(new Match("PROTO-131", WARNING, "HEADER:host", "empty"));
        } else if (numericStart(host) && NUMERIC_HOST.matcher(host).matches()) { // a name needs no matcher
            out.add(new Match("PROTO-132", WARNING, "HEADER:host", "numeric host"));
        }
        if (paranoia >= 2 && in.header("accept") == null && !method.equals("OPTIONS")) {
            out.add(new Match("PROTO-133", NOTICE, "HEADER:accept", "missing"));
        }
        // Range abuse
        String range = in.header("range");
        if (range != null) {
            Matcher m = RANGE.matcher(range);
            while (m.find()) {
                if (m.group(2).length() < 19 && m.group(1).length() < 19
                        && Long.parseLong(m.group(2)) < Long.parseLong(m.group(1))) {
                    out.add(new Match("PROTO-140", CRITICAL, "HEADER:range", "reversed range"));
                    break;
                }
            }
            // more than five ranges is a server-exhaustion shape; PDF readers legitimately ask for many, so
            // PDFs get the strict limit only from level 2 on
            boolean pdf = in.path().toLowerCase(Locale.ROOT).endsWith(".pdf");
            if (range.chars().filter(c -> c == ',').count() >= (paranoia >= 2 || !pdf ? 5 : 63)) {
                out.add(new Match("PROTO-141", CRITICAL, "HEADER:range", "too many ranges"));
            }
            if (range.startsWith("bytes=0-") && method.equals("GET") && paranoia >= 2) {
                // fine: resumable downloads
            }
        }
        // Connection, Cache-Control, Accept-Encoding shapes
        String connection = in.header("connection");
        if (connection != null) {
            String c = connection.toLowerCase(Locale.ROOT);
            if ((c.contains("keep-alive") && c.contains("close")) || c.split(",").length > 3) {
                out.add(new Match("PROTO-150", WARNING, "HEADER:connection", "contradictory"));
            }
        }
        String cacheControl = in.header("cache-control");
        if (paranoia >= 3 && cacheControl != null && !CACHE_CONTROL.matcher(cacheControl.toLowerCase(Locale.ROOT)).matches()) {
            out.add(new Match("PROTO-151", CRITICAL, "HEADER:cache-control", "unknown directive"));
        }
        String acceptEncoding = in.header("accept-encoding");
        if (acceptEncoding != null && acceptEncoding.length() > 100) {
            out.add(new Match("PROTO-152", CRITICAL, "HEADER:accept-encoding", "too long"));
        }
        // Content-Type policy
        if (ct != null) {
            String lower = ct.toLowerCase(Locale.ROOT).trim();
            String mime = lower.split(";")[0].trim();
            if (!CONTENT_TYPE.matcher(lower).matches()) {
                out.add(new Match("PROTO-160", CRITICAL, "HEADER:content-type", "malformed"));
            } else if (!ALLOWED_TYPES.contains(mime) && hasBody) {
                out.add(new Match("PROTO-161", CRITICAL, "HEADER:content-type", "type not allowed"));
            }
            Matcher charset = CHARSET.matcher(lower);
            int charsets = 0;
            while (charset.find()) {
                charsets++;
                if (!ALLOWED_CHARSETS.contains(charset.group(1))) {
                    out.add(new Match("PROTO-162", CRITICAL, "HEADER:content-type", "charset not allowed"));
                    break;
                }
            }
            if (charsets > 1) out.add(new Match("PROTO-163", CRITICAL, "HEADER:content-type", "several charsets"));
            if (r.headers().getAll("content-type").size() > 1) {
                out.add(new Match("PROTO-164", CRITICAL, "HEADER:content-type", "repeated"));
            }
            if (in.bodyKind() == BodyParser.Kind.MULTIPART) {
                multipartNames(r.body(), out);
                multipartParts(r.body(), out);
            } else if (!mime.startsWith("multipart/") && BOUNDARY.matcher(lower).find()) {
                // a boundary on a type that has none: parsers disagree on which one wins
                out.add(new Match("PROTO-167", CRITICAL, "HEADER:content-type", "boundary on a non-multipart type"));
            }
        }
        // a response charset asked for in Accept: an exotic one (EBCDIC, UTF-7/16) is how encoding bypasses start
        String accept = in.header("accept");
        if (accept != null && accept.indexOf('=') >= 0 && containsIgnoringCase(accept, "charset")) {
            Matcher cs = CHARSET.matcher(accept.toLowerCase(Locale.ROOT));
            while (cs.find()) {
                if (!ALLOWED_CHARSETS.contains(cs.group(1))) {
                    out.add(new Match("PROTO-168", CRITICAL, "HEADER:accept", "charset not allowed in Accept"));
                    break;
                }
            }
        }
        // RFC 2965 cookie attributes ($Version, $Path): obsolete, and parsed differently by each server
        String cookie = in.header("cookie");
        if (cookie != null && cookie.indexOf('$') >= 0 && OLD_COOKIE.matcher(cookie).lookingAt()) {
            out.add(new Match("PROTO-171", CRITICAL, "HEADER:cookie", "obsolete cookie attributes"));
        }
        if (in.bodyUnparsable()) out.add(new Match("PROTO-165", CRITICAL, "BODY", "body does not parse as its type"));
        // header policy
        for (String name : in.headerNames()) {
            if (RESTRICTED_HEADERS.contains(name)) {
                out.add(new Match("PROTO-170", CRITICAL, "HEADER:" + name, "restricted header"));
                break;
            }
        }
        // both need a '.' or a '~' in the path (lower-casing adds neither)
        String path = in.path().indexOf('.') < 0 && in.path().indexOf('~') < 0 ? "" : in.path().toLowerCase(Locale.ROOT);
        if (path.isEmpty()) {
            // neither can match without a '.' or a '~'
        } else if (RESTRICTED_EXTENSION_START.find(RESTRICTED_EXTENSION.matcher(path), path)) {
            out.add(new Match("PROTO-180", CRITICAL, "PATH", "restricted extension"));
        } else if (BACKUP_START.find(BACKUP.matcher(path), path)) {
            out.add(new Match("PROTO-181", CRITICAL, "PATH", "backup file"));
        }
        // arguments: count and sizes, method override, control characters
        if (in.argCount() > config.maxArgs()) {
            out.add(new Match("PROTO-190", CRITICAL, "ARGS", "too many arguments"));
        }
        long total = 0;
        boolean nameLong = false;
        boolean valueLong = false;
        for (Target t : in.targets()) {
            if (t.kind() == Target.Kind.ARG) {
                total += t.raw().length() + t.name().length();
                if (t.raw().length() > config.maxArgLength()) valueLong = true;
            }
            if (t.kind() == Target.Kind.ARG_NAME && t.raw().length() > config.maxArgNameLength()) nameLong = true;
            if (t.kind() == Target.Kind.ARG && mayBeMethodParam(t.name())
                    && METHOD_PARAM.matcher(t.name().toLowerCase(Locale.ROOT)).matches()
                    && METHODS.matcher(t.value().trim()).matches()) {
                out.add(new Match("PROTO-191", CRITICAL, t.location(), "method override parameter"));
            }
        }
        if (nameLong) out.add(new Match("PROTO-192", CRITICAL, "ARGS_NAMES", "argument name too long"));
        if (valueLong) out.add(new Match("PROTO-193", CRITICAL, "ARGS", "argument too long"));
        if (total > config.maxTotalArgLength()) out.add(new Match("PROTO-194", CRITICAL, "ARGS", "arguments too long"));
        controlCharacters(in, paranoia, out);
    }

    /** NUMERIC_HOST's necessary condition: its first character is a digit, '.', ':' or a bracket. */
    private static boolean numericStart(String host) {
        char c = host.charAt(0);
        return c >= '0' && c <= '9' || c == '.' || c == ':' || c == '[' || c == ']';
    }

    /**
     * CHARSET's necessary condition on the text before lower-casing: it needs "charset" once lower-cased, whose
     * letters only ASCII letters lower-case to (so ignoring ASCII case finds it; a false hit only costs the regex).
     */
    private static boolean containsIgnoringCase(String s, String lower) {
        for (int i = 0; i + lower.length() <= s.length(); i++) if (s.regionMatches(true, i, lower, 0, lower.length())) return true;
        return false;
    }

    /** METHOD_PARAM's necessary condition: its names start with '_' or 'x' once lower-cased (only 'X' becomes 'x'). */
    private static boolean mayBeMethodParam(String name) {
        if (name.isEmpty()) return false;
        char c = name.charAt(0);
        return c == '_' || c == 'x' || c == 'X';
    }

    /** NUL anywhere is critical; other controls at level 2; non-printable ASCII at 3; anything non-ASCII at 4. */
    private static void controlCharacters(Inspection in, int paranoia, List<Match> out) {
        for (Target t : in.fresh()) { // a known-clean value's characters were checked at this level before
            String v = t.raw();
            if (paranoia < 2) { // at level 1 only NUL counts: one vectorised search
                if (v.indexOf(0) >= 0) {
                    out.add(new Match("PROTO-200", CRITICAL, t.location(), "NUL byte"));
                    return;
                }
                continue;
            }
            boolean argLike = t.kind() != Target.Kind.HEADER && t.kind() != Target.Kind.BODY;
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c == 0) {
                    out.add(new Match("PROTO-200", CRITICAL, t.location(), "NUL byte"));
                    return;
                }
                if (paranoia >= 2 && c < 0x20 && c != '\t' && c != '\n' && c != '\r' && argLike) {
                    out.add(new Match("PROTO-201", CRITICAL, t.location(), "control character"));
                    return;
                }
                if (paranoia >= 2 && (c == 0x7f || (c < 0x20 && c != '\t')) && t.kind() == Target.Kind.HEADER) {
                    out.add(new Match("PROTO-201", CRITICAL, t.location(), "control character"));
                    return;
                }
                if (paranoia >= 3 && (c < 0x20 || c == 0x7f) && argLike) {
                    out.add(new Match("PROTO-202", CRITICAL, t.location(), "non-printable character"));
                    return;
                }
                if (paranoia >= 4 && c > 0x7e && argLike && t.kind() != Target.Kind.ARG) {
                    out.add(new Match("PROTO-203", CRITICAL, t.location(), "byte outside printable ASCII"));
                    return;
                }
            }
        }
    }

    private static void multipartNames(byte[] body, List<Match> out) {
        Matcher m = MULTIPART_NAME.matcher(new String(body, StandardCharsets.ISO_8859_1));
        while (m.find()) {
            String name = ENTITY.matcher(m.group(1)).replaceAll("");
            if (SUSPICIOUS_NAME.matcher(name).find() || name.contains("..")) {
                out.add(new Match("PROTO-166", CRITICAL, "FILES_NAMES", "suspicious multipart name"));
                return;
            }
        }
    }

    private static final Pattern OLD_COOKIE = Pattern.compile("(?i)\\s*\\$(?:version|path|domain|port)\\s*=");
    private static final Pattern BOUNDARY = Pattern.compile(";\\s*boundary\\s*=");
    private static final Pattern PART_CHARSET = Pattern.compile(
            "(?im)^content-type\\s*:[^\\r\\n]*charset\\s*=\\s*\"?([\\w.:-]+)|name=\"_charset_\"[^\\r\\n]*\\r?\\n"
                    + "(?:[^\\r\\n]+\\r?\\n)*\\r?\\n([^\\r\\n]*)");
    private static final Pattern TRANSFER_ENCODING = Pattern.compile("(?im)^content-transfer-encoding\\s*:");

    /** Parts that declare their own charset (or _charset_) outside the allowed ones, or a transfer encoding. */
    private static void multipartParts(byte[] body, List<Match> out) {
        String text = new String(body, StandardCharsets.ISO_8859_1);
        if (TRANSFER_ENCODING.matcher(text).find()) {
            out.add(new Match("PROTO-169", CRITICAL, "FILES", "part with a transfer encoding"));
            return;
        }
        Matcher m = PART_CHARSET.matcher(text);
        while (m.find()) {
            String cs = (m.group(1) != null ? m.group(1) : m.group(2)).trim().toLowerCase(Locale.ROOT);
            if (!ALLOWED_CHARSETS.contains(cs)) {
                out.add(new Match("PROTO-169", CRITICAL, "FILES", "part charset not allowed"));
                return;
            }
        }
    }
}
