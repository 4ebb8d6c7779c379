package io.requestflow.firewall.waf;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.requestflow.firewall.waf.normalize.Normalizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a request body into named values so each one is inspected on its own: URL-encoded forms,
 * JSON (every key and leaf, streamed with depth and size limits), XML (text and attribute values) and
 * multipart form data (field values and file names). Anything else is inspected whole.
 */
public final class BodyParser {
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxStringLength(1 << 20).build())
            .build();
    private static final Pattern XML_VALUES = Pattern.compile("=\\s*\"([^\"]*)\"|=\\s*'([^']*)'|>([^<]+)<");
    private static final Pattern PART_NAME = Pattern.compile("(?i)\\bname=\"([^\"]*)\"");
    private static final Pattern FILE_NAME = Pattern.compile("(?i)\\bfilename=\"([^\"]*)\"");

    /** What the parser emits: (name, value) for values, (name, null) for a field name on its own. */
    interface Sink extends BiConsumer<String, String> {}

    public enum Kind { NONE, FORM, JSON, XML, MULTIPART, RAW }

    private BodyParser() {}

    static Kind kindOf(String contentType, byte[] body) {
        if (body.length == 0) return Kind.NONE;
        String ct = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (ct.contains("json")) return Kind.JSON;
        if (ct.contains("xml")) return Kind.XML;
        if (ct.startsWith("multipart/")) return Kind.MULTIPART;
        if (ct.isEmpty() || ct.startsWith("application/x-www-form-urlencoded")) {
            byte first = firstNonSpace(body);
            if (ct.isEmpty() && (first == '{' || first == '[')) return Kind.JSON;
            if (ct.isEmpty() && first == '<') return Kind.XML;
            return Kind.FORM;
        }
        return Kind.RAW;
    }

    private static byte firstNonSpace(byte[] body) {
        for (byte b : body) if (b != ' ' && b != '\n' && b != '\r' && b != '\t') return b;
        return 0;
    }

    /** a=1&b=2, decoded once with '+' as space. */
    static void form(String text, int maxArgs, Sink sink) {
        form(text, 0, text.length(), maxArgs, sink);
    }

    /** The same for the form in {@code text} from {@code from} to {@code to}. */
    static void form(String text, int from, int to, int maxArgs, Sink sink) {
        form(text, from, to, maxArgs, (t, start, eq, end) -> sink.accept(name(t, start, eq, end), value(t, eq, end)));
    }

    /** A form's pair where it lies: {@code text[start, end)}, {@code eq} its '=' or -1 when it has none. */
    interface Pairs {
        void pair(String text, int start, int eq, int end);
    }

    /** A pair's name, decoded. */
    static String name(String text, int start, int eq, int end) {
        return Normalizer.urlDecode(text.substring(start, eq < 0 ? end : eq), true);
    }

    /** A pair's value, decoded ("" when it has no '='). */
    static String value(String text, int eq, int end) {
        return eq < 0 ? "" : Normalizer.urlDecode(text.substring(eq + 1, end), true);
    }

    /** The form's pairs in place, for a reader that decodes only what it needs ({@link #name}, {@link #value}). */
    static void form(String text, int from, int to, int maxArgs, Pairs pairs) {
        int count = 0;
        // pair by pair in place (a copy of each pair only to cut it in two would be garbage)
        for (int start = from, end; start < to; start = end + 1) {
            end = text.indexOf('&', start);
            if (end < 0 || end > to) end = to;
            if (end == start) continue;
            if (++count > maxArgs) return;
            int eq = text.indexOf('=', start);
            if (eq >= end) eq = -1;
            pairs.pair(text, start, eq, end);
        }
    }

    /** Every object key becomes a name, every scalar a value named by its path (json.a.b). */
    static boolean json(byte[] body, int maxArgs, Sink sink) {
        try (JsonParser p = JSON.createParser(body)) {
            StringBuilder path = new StringBuilder("json");
            java.util.ArrayDeque<Integer> marks = new java.util.ArrayDeque<>();
            int count = 0;
            JsonToken t;
            String field = null;
            while ((t = p.nextToken()) != null) {
                switch (t) {
                    case START_OBJECT, START_ARRAY -> {
                        marks.push(path.length());
                        if (field != null) path.append('.').append(field);
                        field = null;
                    }
                    case END_OBJECT, END_ARRAY -> {
                        path.setLength(marks.isEmpty() ? 4 : marks.pop());
                        field = null;
                    }
                    case FIELD_NAME -> {
                        field = p.currentName();
                        sink.accept(field, null);
                    }
                    default -> {
                        if (++count > maxArgs) return true;
                        String name = field == null ? path.toString() : path + "." + field;
                        sink.accept(name, p.getValueAsString(p.getText()));
                        field = null;
                    }
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false; // not JSON after all: inspected whole
        }
    }

    static void xml(String text, int maxArgs, Sink sink) {
        Matcher m = XML_VALUES.matcher(text);
        int count = 0;
        while (m.find() && ++count <= maxArgs) {
            String v = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            if (!v.isBlank()) sink.accept("xml", Normalizer.htmlEntities(v));
        }
    }

    static void multipart(String text, String contentType, int maxArgs, Sink sink) {
        Matcher b = Pattern.compile("(?i)boundary=\"?([^\";]+)").matcher(contentType);
        if (!b.find()) {
            sink.accept("body", text);
            return;
        }
        String[] parts = text.split(Pattern.quote("--" + b.group(1)));
        int count = 0;
        for (String part : parts) {
            int split = part.indexOf("\r\n\r\n");
            int sep = 4;
            if (split < 0) {
                split = part.indexOf("\n\n");
                sep = 2;
            }
            if (split < 0 || ++count > maxArgs) continue;
            String headers = part.substring(0, split);
            String value = part.substring(split + sep);
            if (value.endsWith("\r\n")) value = value.substring(0, value.length() - 2);
            Matcher n = PART_NAME.matcher(headers);
            String name = n.find() ? n.group(1) : "part";
            Matcher f = FILE_NAME.matcher(headers);
            if (f.find()) {
                sink.accept("FILES:" + name, f.group(1));
            } else {
                sink.accept(name, null);
                sink.accept(name, value);
            }
        }
    }

    static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }
}
