package io.requestflow.firewall.waf;

import io.requestflow.firewall.waf.normalize.Normalizer;
import io.requestflow.firewall.waf.sqli.SqliDetector;
import io.requestflow.firewall.waf.sqli.SqlTokenizer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Normalisation and the token-shape SQL injection detector on their own. */
class DetectorsTest {

    @Test
    void normalisationUndoesLayeredEncodings() {
        assertThat(Normalizer.normalize("%253Cscript%253E")).isEqualTo("<script>");
        assertThat(Normalizer.normalize("&lt;img src=x onerror=alert&#40;1&#x29;&gt;")).isEqualTo("<img src=x onerror=alert(1)>");
        assertThat(Normalizer.normalize("ＳＥＬＥＣＴ")).isEqualTo("select");        // full-width, NFKC
        assertThat(Normalizer.normalize("%u003cscript")).isEqualTo("<script");
        assertThat(Normalizer.normalize("\\x3cscript\\u003e")).isEqualTo("<script>");
        assertThat(Normalizer.removeDotSegments("/a/b/../../etc/./passwd")).isEqualTo("/etc/passwd");
        assertThat(Normalizer.removeDotSegments("/public/..\\..\\admin")).isEqualTo("/admin");
        assertThat(Normalizer.removeDotSegments("/api/products/search")).isEqualTo("/api/products/search");
        assertThat(Normalizer.removeDotSegments("/a//b/")).isEqualTo("/a/b/");
        assertThat(Normalizer.removeDotSegments("a/b")).isEqualTo("/a/b");
        assertThat(Normalizer.removeDotSegments("/a/.well-known/x")).isEqualTo("/a/.well-known/x");
        assertThat(Normalizer.commandLine("c'a't /e\"t\"c/pa\\sswd")).isEqualTo("cat /etc/passwd");
        assertThat(Normalizer.decodeRepeatedly("%25252525")).hasSizeLessThan(9); // bounded, not to a fixed point
    }

    @Test
    void dotSegmentsResolveAsTheLoopDoesOnEveryPath() {
        String[] bits = {"/", "/", ".", "..", "a", "\\", "b.c", "%2e", "//", "/."};
        java.util.Random random = new java.util.Random(5L);
        for (int i = 0; i < 100_000; i++) {
            StringBuilder b = new StringBuilder(random.nextBoolean() ? "/" : "");
            for (int n = random.nextInt(8); n > 0; n--) b.append(bits[random.nextInt(bits.length)]);
            String path = b.toString();
            assertThat(Normalizer.removeDotSegments(path)).as(path).isEqualTo(resolvedByTheLoop(path));
        }
    }

    @Test
    void entitiesAreFoundAsByLookingUpTheLowerCasedName() {
        String[] bits = {"&", "&", "lt", "LT", "Lt", "amp", "semi", "\u017femi", "newl\u0130ne", "newline", "\u212aa", "#", "x", "3",
                "colon", "q", "=", ";", "é", "percnt", "tab"};
        java.util.Set<String> names = java.util.Set.of("lt", "gt", "amp", "quot", "apos", "nbsp", "colon", "tab", "newline",
                "lpar", "rpar", "sol", "bsol", "semi", "comma", "period", "equals", "grave", "lsqb", "rsqb", "lcub", "rcub",
                "excl", "num", "dollar", "percnt", "plus", "quest", "vert", "ast");
        java.util.Random random = new java.util.Random(9L);
        for (int i = 0; i < 100_000; i++) {
            StringBuilder b = new StringBuilder("&");
            for (int n = random.nextInt(5); n > 0; n--) b.append(bits[random.nextInt(bits.length)]);
            String s = b.toString();
            int j = 1;
            boolean expected;
            if (j < s.length() && s.charAt(j) == '#') {
                expected = j + 1 < s.length() && (Character.isDigit(s.charAt(j + 1))
                        || (s.charAt(j + 1) == 'x' || s.charAt(j + 1) == 'X') && j + 2 < s.length()
                        && Character.digit(s.charAt(j + 2), 16) >= 0);
            } else {
                while (j < s.length() && j - 1 < 10 && Character.isLetter(s.charAt(j))) j++;
                expected = names.contains(s.substring(1, j).toLowerCase(java.util.Locale.ROOT));
            }
            assertThat(Normalizer.entityStartsAt(s, 0)).as(s).isEqualTo(expected);
        }
    }

    /** removeDotSegments as it was before its shortcut for paths with nothing to resolve: the reference. */
    private static String resolvedByTheLoop(String path) {
        String[] parts = path.replace('\\', '/').split("/", -1);
        java.util.ArrayDeque<String> out = new java.util.ArrayDeque<>();
        for (int i = 0; i < parts.length; i++) {
            String seg = parts[i];
            boolean last = i == parts.length - 1;
            if (seg.equals(".")) {
                if (last) out.addLast("");
            } else if (seg.equals("..")) {
                if (out.size() > 1) out.removeLast();
                if (last) out.addLast("");
            } else if (!(seg.isEmpty() && i > 0 && !last)) {
                out.addLast(seg);
            }
        }
        String joined = String.join("/", out);
        return joined.startsWith("/") ? joined : "/" + joined;
    }

    @Test
    void tokenShapesCatchInjectionsInEveryQuoteContext() {
        for (String attack : new String[] {"1' or '1'='1", "1 or 1=1", "admin'--", "x\" or \"a\"=\"a",
                "1 union all select password from users", "'; drop table users--", "1) and sleep(5)#",
                "' order by 3--", "1' and (select 1 from dual)='1", "1 and 1=1"}) {
            assertThat(SqliDetector.detect(attack, false)).as(attack + " " + SqlTokenizer.contexts(attack, 10))
                    .isNotNull();
        }
    }

    @Test
    void proseWithQuotesAndSqlWordsIsNotInjection() {
        for (String prose : new String[] {"O'Brien", "Rock 'n' roll", "It's \"okay\" I guess; the colour isn't right",
                "select the larger size from the list", "Tom & Jerry", "Don't buy this -- it broke", "5'10\" tall",
                "union jack flag", "drop earrings", "update kit for router", "Ben & Jerry's", "1 star for delivery",
                "She said 'yes' or 'no'", "D'Angelo and Sons", "2 for 1 deal"}) {
            assertThat(SqliDetector.detect(prose.toLowerCase(), false)).as(prose + " " + SqlTokenizer.contexts(
                    prose.toLowerCase(), 10)).isNull();
        }
    }
}
