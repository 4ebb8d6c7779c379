package io.requestflow.firewall;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.requestflow.engine.http.Request;
import io.requestflow.firewall.waf.Match;
import io.requestflow.firewall.waf.RuleFamily;
import io.requestflow.firewall.waf.Target;
import io.requestflow.firewall.waf.UriPieces;
import io.requestflow.firewall.waf.Waf;
import io.requestflow.firewall.waf.WafConfig;
import io.requestflow.firewall.waf.normalize.Normalizer;
import io.requestflow.firewall.waf.rules.PatternFamily;
import io.requestflow.firewall.waf.rules.PatternRule;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The target inspected as its pieces ({@link UriPieces}) gives every request the verdict the whole target gives:
 * the rules are sorted as the policy says, a target is split only where normalising it piece by piece gives the
 * whole's normal form (over both corpora and fuzzed targets), and a WAF that remembers pieces blocks what a WAF
 * without memos blocks, attacks spread over two pieces included.
 */
class UriPiecesTest {
    @Test
    void sortsTheRulesThatReadTheTarget() {
        Waf waf = new Waf(WafConfig.defaults());
        assertThat(UriPieces.of(waf.families())).as("the rules allow splitting").isNotNull();
        List<String> piecewise = new ArrayList<>();
        List<String> whole = new ArrayList<>();
        for (RuleFamily f : waf.families()) {
            if (!(f instanceof PatternFamily p)) continue;
            for (PatternRule r : p.rules()) {
                if (!r.where().contains(Target.Kind.URI)) continue;
                (r.transform() == null && !r.anchored() && UriPieces.keepsToAPiece(r.pattern()) ? piecewise : whole).add(r.id());
            }
        }
        assertThat(piecewise).containsExactlyInAnyOrder("LFI-100", "RFI-110");
        assertThat(whole).as("can match across '&': gated by literals instead").containsExactlyInAnyOrder("GEN-154", "JAVA-100");
    }

    @Test
    void readsWhetherARegexKeepsToAPiece() {
        for (String keeps : List.of("abc", "(?:a|b)+c", "(?i)ab\\.c", "[a-z0-9+.-]*://", "\\bfoo\\s*\\(", "x{2,3}\\d",
                "['\"]?", "[=(\\s]")) {
            assertThat(UriPieces.keepsToAPiece(Pattern.compile(keeps))).as(keeps).isTrue();
        }
        for (String crosses : List.of("a.c", "[^a]", "a&b", "a\\?", "[?]", "(?=a)b", "^a", "a$", "[!-~]", "[ -z]", "\\x26",
                "\\S+", "(a)\\1", "\\Ba", "(?<n>a)", "[\\W]", "\\p{Punct}")) {
            assertThat(UriPieces.keepsToAPiece(Pattern.compile(crosses))).as(crosses).isFalse();
        }
        assertThat(UriPieces.keepsToAPiece(Pattern.compile("abc", Pattern.COMMENTS))).isFalse();
    }

    @Test
    void splitsOnlyWhereNoEntityCanBegin() {
        assertThat(UriPieces.split("/p")).as("no query").isNull();
        assertThat(UriPieces.split("/p?a=1&b=2")).containsExactly("/p", "a=1", "b=2");
        assertThat(UriPieces.split("/p?")).containsExactly("/p", "");
        assertThat(UriPieces.split("/p?a&&b?c")).containsExactly("/p", "a", "", "b?c");
        assertThat(UriPieces.split("/a&b?x=%26lt%3b")).as("'&' in the path and escapes inside a piece")
                .containsExactly("/a&b", "x=%26lt%3b");
        assertThat(UriPieces.split("/p?a=1#frag")).as("a fragment").isNull();
        assertThat(UriPieces.split("/p?a=1&lt;script")).as("an entity at a separator").isNull();
        assertThat(UriPieces.split("/p?a=1&LT=2")).isNull();
        assertThat(UriPieces.split("/p?a=1&%6ct;x")).as("an escape that decodes into an entity").isNull();
        assertThat(UriPieces.split("/p?a=1&l%74;x")).isNull();
        assertThat(UriPieces.split("/p?a=1&%23x3c;")).isNull();
        assertThat(UriPieces.split("/p?a=1&page=%6ct")).as("an escape after the name").containsExactly("/p", "a=1", "page=%6ct");
    }

    @Test
    void normalisingPieceByPieceGivesTheWholesNormalForm() throws Exception {
        List<String> targets = new ArrayList<>();
        for (Request r : CrsCorpus.addRequests(new ArrayList<>(BenignCorpus.generate(2_000, 17L)))) targets.add(r.uri());
        Random random = new Random(20261122L);
        for (int i = 0; i < 200_000; i++) targets.add(fuzzedTarget(random));
        int split = 0;
        for (String uri : targets) {
            List<String> pieces = UriPieces.split(uri);
            if (pieces == null) continue;
            split++;
            StringBuilder joined = new StringBuilder(Normalizer.normalize(pieces.get(0))).append('?');
            for (int i = 1; i < pieces.size(); i++) {
                if (i > 1) joined.append('&');
                joined.append(Normalizer.normalize(pieces.get(i)));
            }
            assertThat(joined.toString()).as(uri).isEqualTo(Normalizer.normalize(uri));
        }
        assertThat(split).as("targets split").isGreaterThan(40_000);
    }

    @Test
    void rememberingPiecesChangesNoVerdict() throws Exception {
        List<Request> requests = new ArrayList<>();
        Random random = new Random(7L);
        List<String> pieces = new ArrayList<>(List.of("q=mug", "page=2", "sort=price", "unix:AAAA", "x|http://169.254.169.254/",
                "a=${jndi", "b=ldap://x/a}", "${lower:j}${lower:n}", "di:ldap://h/", "f=include(", "g='http://e.example/x'",
                "p=..%252f..%252fetc", "n=%00", "c=%C0%AE%C0%AE/", "t=a%26lt%3bscript", "lt;x", "u=unix:/s", "v=1%7c"));
        for (int i = 0; i < 8_000; i++) {
            StringBuilder uri = new StringBuilder("/api/products/search?");
            int n = 1 + random.nextInt(4);
            for (int k = 0; k < n; k++) {
                if (k > 0) uri.append('&');
                uri.append(random.nextInt(4) == 0 ? fuzzedPiece(random) : pieces.get(random.nextInt(pieces.size())));
            }
            requests.add(get(uri.toString()));
        }
        requests.add(get("/?unix:AAAA&x|http://169.254.169.254/"));
        for (int level : new int[] {1, 4}) {
            WafConfig config = WafConfig.defaults().withParanoia(level).withAuditLog("");
            Waf remembering = new Waf(config);
            Waf plain = new Waf(config.withCleanHeaderMemo(0).withCleanValueMemo(0));
            int blocked = 0;
            for (int round = 0; round < 2; round++) { // the second time round, the pieces are remembered
                for (Request r : requests) {
                    List<Match> expected = plain.inspect(r).matches();
                    assertThat(remembering.inspect(r).matches()).as("PL%d %s", level, r.uri()).isEqualTo(expected);
                    if (!expected.isEmpty()) blocked++;
                }
            }
            assertThat(blocked).as("requests a rule fired on at PL%d", level).isGreaterThan(500);
        }
        Waf waf = new Waf(WafConfig.defaults());
        waf.inspect(get("/?unix:AAAA"));
        waf.inspect(get("/?x|http://169.254.169.254/"));
        assertThat(waf.inspect(get("/?unix:AAAA&x|http://169.254.169.254/")).matches()).extracting(Match::ruleId)
                .as("an SSRF spread over two pieces").contains("GEN-154");
    }

    private static Request get(String uri) {
        HttpHeaders h = new DefaultHttpHeaders();
        h.set("host", "shop.requestflow.test");
        h.set("user-agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0");
        h.set("accept", "*/*");
        return new Request("GET", uri, h, new byte[0], new InetSocketAddress("198.51.100.7", 40000));
    }

    /** Escapes, entities (whole, partial, encoded), backslash escapes, combining marks and full-width forms. */
    private static final String[] BITS = {"a", "b", "x", "u", "l", "t", "p", "g", "=", "&", "&", "?", ";", "%", "%2", "%26",
            "%3f", "%25", "%3b", "%6c", "%23", "%5c", "%C3", "%A9", "%C0%AE", "%u0026", "&lt", "&lt;", "&amp;", "&#38;", "&#x3f;",
            "&gt", "&quot;", "&nbsp", "lt;", "\\", "\\x26", "\\u003f", "\\x3", "é", "\u0301", "\u0338", "Σ", "ς", "\uff06",
            "\uff1f", "\u3002", "İ", "0", "1", "+", "/", ".", "..", "$", "{", "}", "${", ":", "|", "'", "\""};

    private static String fuzzedTarget(Random random) {
        StringBuilder b = new StringBuilder("/");
        int n = random.nextInt(12);
        for (int i = 0; i < n; i++) b.append(BITS[random.nextInt(BITS.length)]);
        b.append('?');
        int m = random.nextInt(24);
        for (int i = 0; i < m; i++) b.append(BITS[random.nextInt(BITS.length)]);
        return b.toString();
    }

    private static String fuzzedPiece(Random random) {
        StringBuilder b = new StringBuilder();
        int n = 1 + random.nextInt(8);
        for (int i = 0; i < n; i++) {
            String bit = BITS[random.nextInt(BITS.length)];
            if (!bit.equals("&") && !bit.contains("#")) b.append(bit);
        }
        return b.toString();
    }
}
