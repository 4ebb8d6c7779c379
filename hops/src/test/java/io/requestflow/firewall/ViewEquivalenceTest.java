package io.requestflow.firewall;

import io.requestflow.engine.http.Request;
import io.requestflow.firewall.waf.Inspection;
import io.requestflow.firewall.waf.Target;
import io.requestflow.firewall.waf.normalize.Normalizer;
import io.requestflow.firewall.waf.rules.JavaRules;
import io.requestflow.firewall.waf.rules.PatternRule;
import io.requestflow.firewall.waf.rules.PercentEscapes;
import io.requestflow.firewall.waf.rules.SqliRules;
import io.requestflow.firewall.waf.rules.Views;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The loops that replaced regex replacements in the rule families (JavaScript's, the slash, PHP's and
 * the blank-free views) give exactly what the regexes gave
 * (the definitions are restated here as the reference), and SQLI-240's gate turns away no value its
 * regex matches, on every value and raw value of the benign corpus and the CRS corpus, and on edge
 * cases the corpora may lack; so do the protocol rules' loops over the request target (invalid %
 * escapes, %uff, and the test that lets a target skip the UTF-8 decoder).
 */
class ViewEquivalenceTest {
    private static final Pattern JS = Pattern.compile("/\\*.*?\\*/|\\s+");
    private static final Pattern SLASH_RUNS = Pattern.compile("/{2,}");
    private static final Pattern BLANKS = Pattern.compile("[\\s\\x00-\\x1f]+");
    private static final Pattern PHP_COMMENTS = Pattern.compile("/\\*.*?\\*/|(?:#|//)[^\\n]*\\n");
    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/_-]{8,}={0,2}");

    @Test
    void loopsEqualTheRegexesTheyReplaced() throws Exception {
        List<String> values = new ArrayList<>(List.of("", " ", "/*", "*/", "/**/", "/*/", "a/*b*/c", "a/*b\n*/c /*x*/",
                "a /*b\r*/ /* c */d", "/*\u2028*/", "/*a*//*b*/", "\t\u000b\f\r\n", "a\\\\b//c///d\\/e", "\\", "//",
                "x\\", "AbCdEfGh", "AbCdEfGh==", "AbCdEfGh===", "AbCdEfG", "ab+/CD_-efgh=x AAAAaaaa=", "aBcD1234aBcD",
                "éAbCdEfGh", "a#b\nc", "a//b\r\nc", "#x", "//x", "a /*b*/ (c)", "/*/", "x(#\n)", "rO0ABXNyABdqYXZhLnV0aWwuUHJpb3JpdHlRdWV1ZZTaMLT7P4KxAwACSQAEc2l6ZUwACmNvbXBhcmF0b3J0"));
        List<Request> requests = new ArrayList<>(BenignCorpus.generate(3_000, 11L));
        Path crs = CrsCorpus.locate();
        CrsCorpus.addRequests(requests);
        for (Request r : requests) {
            for (Target t : new Inspection(r, 255).targets()) {
                values.add(t.value());
                values.add(t.raw());
            }
        }
        Pattern tautology = new SqliRules().rules().stream().filter(r -> r.id().equals("SQLI-240"))
                .map(PatternRule::pattern).findFirst().orElseThrow();
        Pattern chained = new SqliRules().rules().stream().filter(r -> r.id().equals("SQLI-220"))
                .map(PatternRule::pattern).findFirst().orElseThrow();
        Pattern joined = new SqliRules().rules().stream().filter(r -> r.id().equals("SQLI-140"))
                .map(PatternRule::pattern).findFirst().orElseThrow();
        values.addAll(List.of("a=1 or b=2", "x'or'1'='1", "1 and 2=2", "(or 1=1", "_or 1=1", "or1=1", "éor 1=1",
                "1 xor 1=1", "'||1=1", "1&&2=2", "1\t\nor 1=1", "7 = 7", "'a'='a'", "(5=5)", ",3=3", "x3=3"));
        values.addAll(List.of("1 like 1", "7\tlike 7", "x like gecko 1", "12  like12", "1like 1"));
        int changed = 0;
        int gated = 0;
        int wordGated = 0;
        int matched = 0;
        for (String v : values) {
            if (tautology.matcher(v).find() || chained.matcher(v).find() || joined.matcher(v).find()) matched++;
            // SQLI-240's, 220's and 140's gates only turn away values their regexes cannot match
            if (!SqliRules.mayBeLiteralTautology(v) || !SqliRules.hasNumberOrQuote(v)) {
                assertThat(tautology.matcher(v).find()).as("SQLI-240 on %s", v).isFalse();
                gated++;
            }
            for (String sql : new String[] {v, Normalizer.stripSqlComments(v)}) {
                if (!SqliRules.hasBooleanOperator(sql)) {
                    assertThat(chained.matcher(sql).find()).as("SQLI-220 on %s", sql).isFalse();
                    wordGated++;
                }
                if (!SqliRules.mayJoinAfterLiteral(sql)) {
                    assertThat(joined.matcher(sql).find()).as("SQLI-140 on %s", sql).isFalse();
                    wordGated++;
                }
            }
            String js = JS.matcher(v).replaceAll("");
            assertThat(Views.jsCode(v)).as("js view of %s", v).isEqualTo(js);
            String slashes = SLASH_RUNS.matcher(v.replace('\\', '/')).replaceAll("/");
            assertThat(Views.slashes(v)).as("slash view of %s", v).isEqualTo(slashes);
            assertThat(JavaRules.encodedTokens(v)).as("base64 tokens of %s", v).isEqualTo(mixedCaseTokens(v));
            String php = PHP_COMMENTS.matcher(v).replaceAll(" ").replaceAll("\\s+", "");
            assertThat(Views.phpCode(v)).as("php view of %s", v).isEqualTo(php);
            assertThat(Views.withoutBlanks(v)).as("blanks removed from %s", v).isEqualTo(BLANKS.matcher(v).replaceAll(""));
            if (!js.equals(v) || !slashes.equals(v)) changed++;
        }
        assertThat(values).hasSizeGreaterThan(crs == null ? 10_000 : 50_000);
        assertThat(changed).as("values a view changes").isGreaterThan(1_000);
        assertThat(gated).as("values SQLI-240's gate turns away").isGreaterThan(1_000);
        assertThat(wordGated).as("values SQLI-220's and 140's gates turn away").isGreaterThan(1_000);
        // without the CRS corpus (a clean checkout has no shared/ beside it) only the values listed above match
        assertThat(matched).as("values one of these regexes matches (so the gates let them through)")
                .isGreaterThan(crs == null ? 10 : 100);
    }

    private static List<String> mixedCaseTokens(String v) {
        List<String> out = new ArrayList<>();
        Matcher m = BASE64.matcher(v);
        while (m.find()) {
            String token = m.group();
            int upper = 0;
            int lower = 0;
            for (char c : token.toCharArray()) {
                if (c >= 'A' && c <= 'Z') upper++;
                else if (c >= 'a' && c <= 'z') lower++;
            }
            if (upper >= 2 && lower >= 2) out.add(token);
        }
        return out;
    }

    private static final Pattern BAD_PERCENT = Pattern.compile("%(?![0-9a-fA-F]{2}|[uU][0-9a-fA-F]{4})");

    @Test
    void protocolLoopsEqualWhatTheyReplaced() throws Exception {
        List<String> values = new ArrayList<>(List.of("", "%", "%4", "%41", "%zz", "%u", "%u12", "%u1234", "%U12aF",
                "%uFF0E", "%UfF", "%E9", "%C3%A9", "%C0%AF", "%ED%A0%80", "%F4%90%80%80", "a%", "%%41", "\u0130%uff",
                "%Uff", "%\uff11\uff11", "%\u0661\u0662", "%7F%80", "%e2%82", "%e2%82%ac", "\ud800", "%F0%9F%98%80",
                "/a?b=%C3%28", "%uFf1", "x%u", "%uf"));
        List<Request> requests = new ArrayList<>(BenignCorpus.generate(3_000, 11L));
        CrsCorpus.addRequests(requests);
        for (Request r : requests) {
            values.add(r.uri());
            for (Target t : new Inspection(r, 255).targets()) values.add(t.raw());
        }
        int escapes = 0;
                for (String v : values) {
            int flags = PercentEscapes.of(v);
            assertThat((flags & PercentEscapes.BAD_ESCAPE) != 0).as("bad %% in %s", v).isEqualTo(BAD_PERCENT.matcher(v).find());
            assertThat((flags & PercentEscapes.FULL_WIDTH) != 0).as("%%uff in %s", v)
                    .isEqualTo(v.indexOf('%') >= 0 && v.toLowerCase(Locale.ROOT).contains("%uff"));
            assertThat((flags & PercentEscapes.NOT_UTF8) == 0).as("UTF-8 of %s", v).isEqualTo(validUtf8(percentBytes(v)));
            if (v.indexOf('%') >= 0) escapes++;
        }
        // and values made of pieces that stress the UTF-8 check: escapes of every byte, literal non-ASCII
        // characters and lone surrogates between them, Unicode digits in escapes
        java.util.Random random = new java.util.Random(20261122L);
        String[] literals = {"a", "/", "%", "é", "%u", "%U0041", "%uFF0E", "%Uff", "%4", "u", "\u20ac", "\ud83d", "\ude00", "\uff11", "\u0661", "%%", "?"};
        int invalid = 0;
        for (int n = 0; n < 200_000; n++) {
            StringBuilder b = new StringBuilder();
            for (int k = random.nextInt(6); k >= 0; k--) {
                if (random.nextInt(3) > 0) b.append('%').append(String.format("%02X", random.nextInt(256)));
                else b.append(literals[random.nextInt(literals.length)]);
            }
            String v = b.toString();
            boolean expected = validUtf8(percentBytes(v));
            if (!expected) invalid++;
            int flags = PercentEscapes.of(v);
            assertThat((flags & PercentEscapes.NOT_UTF8) == 0).as("UTF-8 of %s", v).isEqualTo(expected);
            assertThat((flags & PercentEscapes.BAD_ESCAPE) != 0).as("bad %% in %s", v).isEqualTo(BAD_PERCENT.matcher(v).find());
            assertThat((flags & PercentEscapes.FULL_WIDTH) != 0).as("%%uff in %s", v)
                    .isEqualTo(v.toLowerCase(Locale.ROOT).contains("%uff"));
        }
        assertThat(escapes).as("values with escapes").isGreaterThan(1_000);
        assertThat(invalid).as("fuzzed values the decoder refuses").isBetween(10_000, 190_000);
        System.out.printf("protocol loops: %d values, %d with escapes; 200,000 fuzzed, %d of them not UTF-8%n",
                values.size(), escapes, invalid);
    }

    /** The check {@link PercentEscapes#NOT_UTF8} replaced: the bytes copied out, then the JDK's strict decoder. */
    private static boolean validUtf8(byte[] bytes) {
        try {
            java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    private static byte[] percentBytes(String s) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && Character.digit(s.charAt(i + 1), 16) >= 0
                    && Character.digit(s.charAt(i + 2), 16) >= 0) {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else if (c < 0x80) {
                out.write(c);
            } else {
                byte[] b = String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toByteArray();
    }
}
