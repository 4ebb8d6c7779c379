package io.requestflow.firewall.waf;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.requestflow.engine.http.Request;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Query pairs remembered whole ({@link CleanPairMemo}) mark only what a clean request held, and change no verdict.
 * Fuzzed targets from a few names and values (benign and attacks, escapes, '+', entities, json/xml names, empty
 * pieces, fragments), most of them seen before, so pairs are found whole, fall back to one lookup per value, or are
 * new.
 */
class CleanPairsTest {
    /** With escaped names: one decodes to "json", one to "xml", others to text with '+', '=', '&' or a space. */
    private static final String[] NAMES = {"q", "page", "sort", "json", "jsonx", "xml", "xmlx", "a", "",
            "%6Aso%6E", "x%6dl", "a%2Bb", "x+y", "q%5B%5D", "a%3Db", "n%26m"};
    private static final String[] VALUES = {"mug", "2", "price_asc", "", "1'or'1'='1", "<script>alert(1)</script>",
            "../../etc/passwd", ";cat /etc/passwd", "${jndi:ldap://x/a}", "%41", "a+b", "=", "x=y", "unix:a|http://b/",
            "1 union select 2", "sleep(5)", "é"};

    @Test
    void remembersExactlyTheNameAndValue() {
        CleanPairMemo memo = new CleanPairMemo(64);
        String q = "sort=price&so=rtprice&sort=pric&sort=prices&sort=price";
        memo.rememberClean(q, 0, 4, 10);
        assertThat(memo.clean(q, 0, 4, 10)).isEqualTo(new CleanPairMemo.Pair("sort", "price", "sort", "price",
                memo.clean(q, 0, 4, 10).hash()));
        assertThat(memo.clean(q, 44, 48, 54)).as("the same text elsewhere").isNotNull();
        assertThat(memo.clean(q, 11, 13, 21)).as("the same characters split elsewhere").isNull();
        assertThat(memo.clean(q, 22, 26, 31)).as("a prefix").isNull();
        assertThat(memo.clean(q, 32, 36, 43)).as("longer").isNull();
        CleanPairMemo off = new CleanPairMemo(0);
        off.rememberClean(q, 0, 4, 10);
        assertThat(off.enabled()).isFalse();
        assertThat(off.clean(q, 0, 4, 10)).isNull();
    }

    @Test
    void remembersADecodedPairByItsText() {
        CleanPairMemo memo = new CleanPairMemo(64);
        String q = "q=red+mug%21&q=red%20mug!&q=red+mug%21";
        memo.rememberClean(q, 0, 1, 12, "q", "red mug!");
        CleanPairMemo.Pair p = memo.clean(q, 26, 27, 38);
        assertThat(p).as("the same text elsewhere").isNotNull();
        assertThat(p.name()).isEqualTo("q");
        assertThat(p.value()).as("the decoded value, held for the argument's target").isEqualTo("red mug!");
        assertThat(p.rawValue()).isEqualTo("red+mug%21");
        assertThat(memo.clean(q, 13, 14, 25)).as("other text that decodes the same").isNull();
    }

    /**
     * Against the inspection without the pair memo (same value memos): the same targets other than the target's own
     * (kinds, names, values, order), every value it marks marked too, every mark and every piece left out held by an
     * earlier clean request, and the same argument count.
     */
    @Test
    void marksOnlyWhatACleanRequestHeld() {
        Waf waf = new Waf(WafConfig.defaults());
        UriPieces uriPieces = UriPieces.of(waf.families());
        Random random = new Random(8L);
        CleanValueMemo headers = new CleanValueMemo(64);
        CleanValueMemo values = new CleanValueMemo(128);
        CleanPairMemo pairs = new CleanPairMemo(64);
        CleanPairMemo refererPairs = new CleanPairMemo(64);
        Set<String> seen = new HashSet<>();
        int gained = 0;
        int piecesLeftOut = 0;
        int refererPiecesLeftOut = 0;
        int escapedLeftOut = 0;
        for (int i = 0; i < 30_000; i++) {
            Request r = request(random);
            Inspection with = new Inspection(r, 255, headers, values, uriPieces, pairs, refererPairs);
            Inspection without = new Inspection(r, 255, headers, values, uriPieces, null, null);
            Inspection fresh = new Inspection(r, 255, null, new CleanValueMemo(0), uriPieces, null, null);
            assertThat(others(with)).as(r.uri()).isEqualTo(others(without));
            assertThat(with.argCount()).isEqualTo(without.argCount());
            List<Target> a = with.targets();
            List<Target> b = without.targets();
            for (int k = 0; k < a.size(); k++) {
                Target t = a.get(k);
                if (t.kind() == Target.Kind.URI || t.kind() == Target.Kind.HEADER) continue; // a whole target marked stands for its pieces, checked below
                if (t.knownClean()) assertThat(seen).as(r.uri() + " " + t).contains(key(t));
                boolean markedWithout = b.get(k - uriCount(a) + uriCount(b)).knownClean();
                if (markedWithout) assertThat(t.knownClean()).as(r.uri() + " " + t).isTrue();
                else if (t.knownClean()) gained++; // found whole while the value memo had lost it

            }
            // the target's pieces: each one inspected here is one the reference inspects, and each it leaves out
            // (or the whole target, when it is marked) was in a clean request
            Set<String> inspected = new HashSet<>();
            for (Target t : a) if (t.kind() == Target.Kind.URI && !t.knownClean()) inspected.add(t.raw());
            for (Target t : fresh.targets()) {
                if (t.kind() == Target.Kind.URI && !inspected.contains(t.raw())) {
                    assertThat(seen).as(r.uri() + " piece left out").contains(key(t));
                }
            }
            // the Referer's pieces: each one inspected is one the reference inspects, each left out was in a clean request
            List<String> headersWith = new ArrayList<>();
            for (Target t : a) if (t.kind() == Target.Kind.HEADER) headersWith.add(key(t));
            for (Target t : fresh.targets()) {
                if (t.kind() == Target.Kind.HEADER && !headersWith.remove(key(t))) {
                    assertThat(seen).as(r.headers() + " header piece left out").contains(key(t));
                }
            }
            assertThat(headersWith).as("header values the reference does not have").isEmpty();
            int headersWithout = 0;
            for (Target t : b) if (t.kind() == Target.Kind.HEADER) headersWithout++;
            int headersLeftOut = headersWithout - (int) a.stream().filter(t -> t.kind() == Target.Kind.HEADER).count();
            assertThat(headersLeftOut).as("leaves out at least what the value memo leaves out").isGreaterThanOrEqualTo(0);
            refererPiecesLeftOut += headersLeftOut;
            Set<String> inspectedWithout = new HashSet<>();
            for (Target t : b) if (t.kind() == Target.Kind.URI && !t.knownClean()) inspectedWithout.add(t.raw());
            inspectedWithout.removeAll(inspected);
            piecesLeftOut += inspectedWithout.size(); // pieces found whole as pairs
            for (String piece : inspectedWithout) if (piece.indexOf('%') >= 0 || piece.indexOf('+') >= 0) escapedLeftOut++;
            if (random.nextInt(3) == 0) continue; // a request something fired on: nothing remembered
            // a clean request, remembered as Waf.inspect remembers one
            for (Target t : fresh.targets()) {
                seen.add(key(t));
                if (t.kind() == Target.Kind.HEADER) headers.rememberClean(t.kind(), t.name(), t.raw());
                else if (t.kind() != Target.Kind.URI || uriPieces.gateFree(t)) values.rememberClean(t.kind(), t.name(), t.raw());
            }
            with.rememberPairs();
        }
        assertThat(piecesLeftOut).as("pieces found whole as pairs, not known as pieces").isGreaterThan(1_000);
        assertThat(refererPiecesLeftOut).as("Referer pieces found whole as pairs, not known as pieces").isGreaterThan(1_000);
        assertThat(gained).as("values found whole as pairs, not known as values").isGreaterThan(1_000);
        assertThat(escapedLeftOut).as("pieces with '%' or '+' found whole as pairs (decoded)").isGreaterThan(300);
    }

    /** A WAF with every memo blocks exactly what a WAF without memos blocks, request by request, attacks included. */
    @Test
    void sameMatchesAsWithoutMemos() {
        Waf memo = new Waf(WafConfig.defaults().withCleanValueMemo(64).withCleanHeaderMemo(64));
        Waf plain = new Waf(WafConfig.defaults().withCleanValueMemo(0).withCleanHeaderMemo(0));
        Random random = new Random(9L);
        int blocked = 0;
        for (int i = 0; i < 4_000; i++) {
            Request r = request(random);
            List<Match> expected = plain.inspect(r).matches();
            assertThat(memo.inspect(r).matches()).as(r.uri()).isEqualTo(expected);
            if (!expected.isEmpty()) blocked++;
        }
        assertThat(blocked).as("requests with attacks").isGreaterThan(400);
    }

    private static int uriCount(List<Target> targets) {
        int n = 0;
        for (Target t : targets) if (t.kind() == Target.Kind.URI) n++;
        return n;
    }

    private static List<String> others(Inspection in) {
        List<String> out = new ArrayList<>();
        for (Target t : in.targets()) if (t.kind() != Target.Kind.URI && t.kind() != Target.Kind.HEADER) out.add(t.kind() + " " + t.name() + "\u0000" + t.raw());
        return out;
    }

    private static String key(Target t) {
        return t.kind() + " " + t.name() + "\u0000" + t.raw();
    }

    private static Request request(Random random) {
        DefaultHttpHeaders h = new DefaultHttpHeaders(false);
        h.set("host", "shop.test");
        h.set("user-agent", "Mozilla/5.0");
        h.set("referer", "https://shop.test" + target(random));
        return new Request("GET", target(random), h, new byte[0], new InetSocketAddress("127.0.0.1", 1));
    }

    private static String target(Random random) {
        StringBuilder uri = new StringBuilder("/p?");
        for (int n = random.nextInt(6); n > 0; n--) {
            if (uri.charAt(uri.length() - 1) != '?') uri.append(random.nextInt(20) == 0 ? "&amp;" : "&");
            uri.append(NAMES[random.nextInt(NAMES.length)]);
            if (random.nextInt(8) != 0) uri.append('=').append(VALUES[random.nextInt(VALUES.length)]);
        }
        if (random.nextInt(30) == 0) uri.append("#f");
        return uri.toString();
    }
}
