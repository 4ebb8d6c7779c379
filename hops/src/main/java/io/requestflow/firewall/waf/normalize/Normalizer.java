package io.requestflow.firewall.waf.normalize;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer.Form;
import java.util.Locale;
import java.util.Map;

/**
 * Undoes the encodings attackers hide behind, so each rule is written once against plain text:
 * bounded repeated URL decoding (including the %u form), HTML entities, JavaScript escapes, Unicode
 * NFKC (full-width and compatibility forms), NUL removal and case folding.
 */
public final class Normalizer {
    /** Enough for double and triple encoding; more rounds only cost time. */
    public static final int MAX_DECODE_ROUNDS = 3;

    private static final Map<String, String> ENTITIES = Map.ofEntries(
            Map.entry("lt", "<"), Map.entry("gt", ">"), Map.entry("amp", "&"), Map.entry("quot", "\""),
            Map.entry("apos", "'"), Map.entry("nbsp", " "), Map.entry("colon", ":"), Map.entry("tab", "\t"),
            Map.entry("newline", "\n"), Map.entry("lpar", "("), Map.entry("rpar", ")"), Map.entry("sol", "/"),
            Map.entry("bsol", "\\"), Map.entry("semi", ";"), Map.entry("comma", ","), Map.entry("period", "."),
            Map.entry("equals", "="), Map.entry("grave", "`"), Map.entry("lsqb", "["), Map.entry("rsqb", "]"),
            Map.entry("lcub", "{"), Map.entry("rcub", "}"), Map.entry("excl", "!"), Map.entry("num", "#"),
            Map.entry("dollar", "$"), Map.entry("percnt", "%"), Map.entry("plus", "+"), Map.entry("quest", "?"),
            Map.entry("vert", "|"), Map.entry("ast", "*"));

    /**
     * The entity names (lower-case ASCII letters) by their first letter, 'a' to 'z': an {@code &} followed by
     * ASCII letters is compared only with the names that start as they do (a query has an {@code &} per pair).
     */
    private static final String[][] ENTITY_NAMES_BY_FIRST = new String[26][];

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            char first = c;
            ENTITY_NAMES_BY_FIRST[c - 'a'] = ENTITIES.keySet().stream().filter(n -> n.charAt(0) == first)
                    .toArray(String[]::new);
        }
    }

    private static final java.util.regex.Pattern SQL_COMMENT = java.util.regex.Pattern.compile("/\\*!?\\d*|\\*/");

    private Normalizer() {}

    /** The full chain for one value that has already been URL-decoded once by its parser. */
    public static String normalize(String value) {
        if (value.isEmpty()) return value;
        String s = decodeRepeatedly(value);
        if (s.indexOf('&') >= 0) s = htmlEntities(s);
        if (s.indexOf('\\') >= 0) s = jsEscapes(s);
        if (!isAscii(s)) {
            s = java.text.Normalizer.normalize(s, Form.NFKC);
            // ideographic and halfwidth full stops read as dots in host names
            if (s.indexOf('\u3002') >= 0 || s.indexOf('\uff61') >= 0) s = s.replace('\u3002', '.').replace('\uff61', '.');
        }
        if (s.indexOf('\0') >= 0) s = s.replace("\0", "");
        return s.toLowerCase(Locale.ROOT);
    }

    /** URL-decodes while the value still changes, at most {@link #MAX_DECODE_ROUNDS} times. */
    public static String decodeRepeatedly(String value) {
        String s = value;
        for (int i = 0; i < MAX_DECODE_ROUNDS && s.indexOf('%') >= 0; i++) {
            String next = urlDecode(s, false);
            if (next.equals(s)) break;
            s = next;
        }
        return s;
    }

    /** Lenient URL decoding: invalid escapes stay as they are; bytes are read as UTF-8. */
    public static String urlDecode(String s, boolean plusIsSpace) {
        if (s.indexOf('%') < 0 && (!plusIsSpace || s.indexOf('+') < 0)) return s;
        // a plain array (a ByteArrayOutputStream locks on every byte): each character gives at most three
        // bytes (a BMP character's UTF-8), each escape fewer than it has characters
        byte[] out = new byte[s.length() * 3];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+' && plusIsSpace) {
                out[n++] = ' ';
            } else if (c == '%' && hexAt(s, i + 1, 2) >= 0) {
                out[n++] = (byte) hexAt(s, i + 1, 2);
                i += 2;
            } else if (c == '%' && i + 1 < s.length() && (s.charAt(i + 1) == 'u' || s.charAt(i + 1) == 'U')
                    && hexAt(s, i + 2, 4) >= 0) {
                n = utf8(String.valueOf((char) hexAt(s, i + 2, 4)), out, n);
                i += 5;
            } else if (c < 0x80) {
                out[n++] = (byte) c;
            } else {
                n = utf8(String.valueOf(c), out, n);
            }
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    /** Appends the UTF-8 bytes of {@code one} (one char; a lone surrogate gives '?') at {@code n}; the new length. */
    private static int utf8(String one, byte[] out, int n) {
        byte[] b = one.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, out, n, b.length);
        return n + b.length;
    }

    static int hexAt(String s, int from, int digits) {
        if (from + digits > s.length()) return -1;
        int v = 0;
        for (int i = from; i < from + digits; i++) {
            int d = Character.digit(s.charAt(i), 16);
            if (d < 0) return -1;
            v = v * 16 + d;
        }
        return v;
    }

    /** Numeric (decimal, hex, semicolon optional) and the common named entities. */
    public static String htmlEntities(String s) {
        // a query string's '&'s start no entity ("&page=2"): up to the first that does, the value is copied as is
        int i = s.indexOf('&');
        while (i >= 0 && !entityAt(s, i)) i = s.indexOf('&', i + 1);
        if (i < 0) return s;
        StringBuilder out = new StringBuilder(s.length());
        out.append(s, 0, i);
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != '&') {
                out.append(c);
                i++;
                continue;
            }
            int j = i + 1;
            if (j < s.length() && s.charAt(j) == '#') {
                j++;
                boolean hex = j < s.length() && (s.charAt(j) == 'x' || s.charAt(j) == 'X');
                if (hex) j++;
                int start = j;
                while (j < s.length() && j - start < 8 && Character.digit(s.charAt(j), hex ? 16 : 10) >= 0) j++;
                if (j > start) {
                    int cp = Integer.parseInt(s.substring(start, j), hex ? 16 : 10);
                    if (Character.isValidCodePoint(cp)) out.appendCodePoint(cp);
                    if (j < s.length() && s.charAt(j) == ';') j++;
                    i = j;
                    continue;
                }
            } else {
                int start = j;
                while (j < s.length() && j - start < 10 && Character.isLetter(s.charAt(j))) j++;
                String name = s.substring(start, j).toLowerCase(Locale.ROOT);
                String rep = ENTITIES.get(name);
                if (rep != null) {
                    out.append(rep);
                    if (j < s.length() && s.charAt(j) == ';') j++;
                    i = j;
                    continue;
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    /** True if an HTML entity that {@link #normalize} decodes starts at the {@code &} at {@code i}. */
    public static boolean entityStartsAt(String s, int i) {
        return entityAt(s, i);
    }

    /** Whether the loop of {@link #htmlEntities} replaces something at the '&' at {@code i}. */
    private static boolean entityAt(String s, int i) {
        int j = i + 1;
        if (j < s.length() && s.charAt(j) == '#') {
            j++;
            boolean hex = j < s.length() && (s.charAt(j) == 'x' || s.charAt(j) == 'X');
            if (hex) j++;
            return j < s.length() && Character.digit(s.charAt(j), hex ? 16 : 10) >= 0;
        }
        int start = j;
        boolean ascii = true;
        while (j < s.length() && j - start < 10 && Character.isLetter(s.charAt(j))) ascii &= s.charAt(j++) < 128;
        if (!ascii) return ENTITIES.containsKey(s.substring(start, j).toLowerCase(Locale.ROOT));
        // ASCII letters (a query's "&page=2"): compared with the names in place, no lower-cased copy to look up
        if (j == start) return false;
        for (String name : ENTITY_NAMES_BY_FIRST[(s.charAt(start) | 0x20) - 'a']) {
            if (name.length() == j - start && s.regionMatches(true, start, name, 0, name.length())) return true;
        }
        return false;
    }

    /** JavaScript hex and unicode escapes (backslash-x-HH, backslash-u-HHHH); other backslashes stay. */
    public static String jsEscapes(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(i + 1);
                if ((n == 'x' || n == 'X') && hexAt(s, i + 2, 2) >= 0) {
                    out.append((char) hexAt(s, i + 2, 2));
                    i += 3;
                    continue;
                }
                if ((n == 'u' || n == 'U') && hexAt(s, i + 2, 4) >= 0) {
                    out.append((char) hexAt(s, i + 2, 4));
                    i += 5;
                    continue;
                }
            }
            out.append(c);
        }
        return out.toString();
    }

    /** RFC 3986 section 5.2.4: resolves "." and ".." segments (also with backslashes) in a path. */
    public static String removeDotSegments(String path) {
        // nearly every path has nothing to resolve: it is then its own result (as the loop below would give)
        if (path.startsWith("/") && path.indexOf('\\') < 0 && path.indexOf("//") < 0 && path.indexOf("/.") < 0) return path;
        String p = path.replace('\\', '/');
        String[] parts = p.split("/", -1);
        java.util.ArrayDeque<String> out = new java.util.ArrayDeque<>();
        for (int i = 0; i < parts.length; i++) {
            String seg = parts[i];
            boolean last = i == parts.length - 1;
            if (seg.equals(".")) {
                if (last) out.addLast("");
            } else if (seg.equals("..")) {
                if (out.size() > 1) out.removeLast();
                if (last) out.addLast("");
            } else if (seg.isEmpty() && i > 0 && !last) {
                // collapse "//"
            } else {
                out.addLast(seg);
            }
        }
        String joined = String.join("/", out);
        return joined.startsWith("/") ? joined : "/" + joined;
    }

    /** SQL comments become a single space, so {@code UN/ ** /ION} cannot split a keyword from the tokenizer's view. */
    public static String stripSqlComments(String s) {
        if (!s.contains("/*")) return s;
        return SQL_COMMENT.matcher(s).replaceAll(" ");
    }

    /**
     * The shell's view of a word: quotes, backslashes and carets that the shell (or cmd.exe) drops are
     * removed; commas become spaces (semicolons stay: they separate commands); runs of spaces shrink to one.
     */
    public static String commandLine(String s) {
        if (isOwnCommandLine(s)) return s; // the same string: views that equal the value share its scans
        StringBuilder out = new StringBuilder(s.length());
        boolean space = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' || c == '\'' || c == '"' || c == '^') continue;
            if (c == ',' || Character.isWhitespace(c)) {
                if (!space) out.append(' ');
                space = true;
                continue;
            }
            out.append(c);
            space = false;
        }
        return out.toString();
    }

    /** True when {@link #commandLine} would not change {@code s}. */
    private static boolean isOwnCommandLine(String s) {
        boolean space = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' || c == '\'' || c == '"' || c == '^' || c == ',') return false;
            boolean white = Character.isWhitespace(c);
            if (white && (c != ' ' || space)) return false;
            space = white;
        }
        return true;
    }

    public static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) >= 0x80) return false;
        return true;
    }
}
