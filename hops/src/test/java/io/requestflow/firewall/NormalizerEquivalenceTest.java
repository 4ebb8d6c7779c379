package io.requestflow.firewall;

import io.requestflow.engine.http.Request;
import io.requestflow.firewall.waf.Inspection;
import io.requestflow.firewall.waf.Target;
import io.requestflow.firewall.waf.normalize.Normalizer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The URL decoder without a stream and the entity decoder that returns a value with no entity as it is
 * give what the loops they replaced gave (restated here as the reference), on every raw value and
 * request target of the benign and CRS corpora and on edge cases (lone surrogates, %u escapes, entities
 * with and without ';', numbers too large for an int).
 */
class NormalizerEquivalenceTest {
    @Test
    void decodersEqualTheLoopsTheyReplaced() throws Exception {
        List<String> values = new ArrayList<>(List.of("", "%", "%4", "%41", "%zz", "%u00e9", "%U00E9x", "%uD800",
                "%u", "é", "\ud83d\ude00", "\ud800", "a+b", "a%2Bb+c", "%C3%A9", "%E2%82", "&", "&&", "&#", "&#x",
                "&#xZZ", "&#65", "&#x41;", "&amp;", "&AMP", "&Lt;x", "&page=2&lt", "&#xffffffff", "&#99999999",
                "&#x110000;", "&aaaaaaaaaaaaaaa;", "&\u00e9t\u00e9", "&#\u0661\u0662;", "q=a&b=c", "&colon&tab;"));
        // every entity name as it is, in capitals, cut short, run on, and after a non-ASCII letter
        for (String name : ENTITIES.keySet()) {
            String upper = name.toUpperCase(Locale.ROOT);
            values.addAll(List.of("&" + name, "a&" + upper + ";b", "&" + name.substring(0, name.length() - 1) + ";",
                    "&" + name + "x;", "&" + Character.toUpperCase(name.charAt(0)) + name.substring(1) + "=1",
                    "&\u00e9" + name + ";"));
        }
        List<Request> requests = new ArrayList<>(BenignCorpus.generate(3_000, 11L));
        CrsCorpus.addRequests(requests);
        for (Request r : requests) {
            values.add(r.uri());
            for (Target t : new Inspection(r, 255).targets()) values.add(t.raw());
        }
        int decoded = 0;
        int entities = 0;
        for (String v : values) {
            assertThat(outcome(s -> Normalizer.urlDecode(s, false), v)).as("urlDecode %s", v)
                    .isEqualTo(outcome(s -> urlDecode(s, false), v));
            assertThat(outcome(s -> Normalizer.urlDecode(s, true), v)).as("urlDecode (+) %s", v)
                    .isEqualTo(outcome(s -> urlDecode(s, true), v));
            assertThat(outcome(Normalizer::htmlEntities, v)).as("htmlEntities %s", v)
                    .isEqualTo(outcome(NormalizerEquivalenceTest::htmlEntities, v));
            if (!urlDecode(v, false).equals(v)) decoded++;
            if (!outcome(NormalizerEquivalenceTest::htmlEntities, v).equals(v)) entities++;
        }
        assertThat(decoded).as("values with an escape").isGreaterThan(1_000);
        assertThat(entities).as("values with an entity").isGreaterThan(10);
    }

    /** The result, or the exception's class (an entity past an int's range throws in both). */
    private static String outcome(UnaryOperator<String> f, String v) {
        try {
            return f.apply(v);
        } catch (RuntimeException e) {
            return e.getClass().getName();
        }
    }

    /** The decoder as it was: a stream of bytes. */
    private static String urlDecode(String s, boolean plusIsSpace) {
        if (s.indexOf('%') < 0 && (!plusIsSpace || s.indexOf('+') < 0)) return s;
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+' && plusIsSpace) {
                out.write(' ');
            } else if (c == '%' && hexAt(s, i + 1, 2) >= 0) {
                out.write(hexAt(s, i + 1, 2));
                i += 2;
            } else if (c == '%' && i + 1 < s.length() && (s.charAt(i + 1) == 'u' || s.charAt(i + 1) == 'U')
                    && hexAt(s, i + 2, 4) >= 0) {
                byte[] b = String.valueOf((char) hexAt(s, i + 2, 4)).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
                i += 5;
            } else if (c < 0x80) {
                out.write(c);
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int hexAt(String s, int from, int digits) {
        if (from + digits > s.length()) return -1;
        int v = 0;
        for (int i = from; i < from + digits; i++) {
            int d = Character.digit(s.charAt(i), 16);
            if (d < 0) return -1;
            v = v * 16 + d;
        }
        return v;
    }

    private static final Map<String, String> ENTITIES = Map.ofEntries(
            Map.entry("lt", "<"), Map.entry("gt", ">"), Map.entry("amp", "&"), Map.entry("quot", "\""),
            Map.entry("apos", "'"), Map.entry("nbsp", " "), Map.entry("colon", ":"), Map.entry("tab", "\t"),
            Map.entry("newline", "\n"), Map.entry("lpar", "("), Map.entry("rpar", ")"), Map.entry("sol", "/"),
            Map.entry("bsol", "\\"), Map.entry("semi", ";"), Map.entry("comma", ","), Map.entry("period", "."),
            Map.entry("equals", "="), Map.entry("grave", "`"), Map.entry("lsqb", "["), Map.entry("rsqb", "]"),
            Map.entry("lcub", "{"), Map.entry("rcub", "}"), Map.entry("excl", "!"), Map.entry("num", "#"),
            Map.entry("dollar", "$"), Map.entry("percnt", "%"), Map.entry("plus", "+"), Map.entry("quest", "?"),
            Map.entry("vert", "|"), Map.entry("ast", "*"));

    /** The entity decoder as it was: a copy of every value that holds an '&'. */
    private static String htmlEntities(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
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
}
