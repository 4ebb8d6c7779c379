package io.requestflow.firewall;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.requestflow.engine.http.Request;
import io.requestflow.firewall.waf.Inspection;
import io.requestflow.firewall.waf.Match;
import io.requestflow.firewall.waf.RuleFamily;
import io.requestflow.firewall.waf.Target;
import io.requestflow.firewall.waf.Waf;
import io.requestflow.firewall.waf.WafConfig;
import io.requestflow.firewall.waf.rules.PatternFamily;
import io.requestflow.firewall.waf.rules.PatternRule;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The literal prefilter only skips work: every pattern family, run as the WAF runs it (shared literal
 * scanner, regexes only where their literals occur), gives exactly the matches of running every regex
 * on every value, over the benign corpus, fuzzed values (session ids, prices, words, punctuation) and (when
 * present) every request of the CRS corpus, at levels 1 and 4.
 */
class PrefilterEquivalenceTest {

    @Test
    void familiesMatchExactlyWhatEveryRegexOnEveryValueMatches() throws Exception {
        List<Request> requests = new ArrayList<>(BenignCorpus.generate(3_000, 7L));
        requests.addAll(fuzzed(3_000, 13L));
        Path crs = CrsCorpus.locate();
        if (crs != null) {
            for (CrsCorpus.Stage s : CrsCorpus.load(crs)) {
                Request r = parse(s.request());
                if (r != null) requests.add(r);
            }
        }
        for (int level : new int[] {1, 4}) compare(requests, level, crs != null);
    }

    private static void compare(List<Request> requests, int level, boolean withCrs) {
        Waf waf = new Waf(WafConfig.defaults().withParanoia(level).withAuditLog(""));
        List<PatternFamily> families = new ArrayList<>();
        for (RuleFamily f : waf.families()) if (f instanceof PatternFamily p) families.add(p);
        assertThat(families).hasSizeGreaterThan(5);
        int compared = 0;
        int fired = 0;
        for (Request r : requests) {
            Inspection inspection = new Inspection(r, 255);
            for (PatternFamily family : families) {
                List<Match> expected = new ArrayList<>();
                for (PatternRule rule : family.rules()) {
                    if (rule.paranoia() > level) continue;
                    for (Target t : inspection.targets()) {
                        Match m = rule.test(t);
                        if (m != null) {
                            expected.add(m);
                            break;
                        }
                    }
                }
                List<Match> actual = new ArrayList<>();
                family.inspectRules(inspection, level, actual);
                assertThat(actual).as("%s on %s %s", family.prefix(), r.method(), r.uri()).isEqualTo(expected);
                compared++;
                fired += expected.size();
            }
        }
        assertThat(fired).as("rule matches compared").isGreaterThan(withCrs ? 4_000 : 100);
        System.out.printf("prefilter equivalence at level %d: %d requests, %d family runs, %d matches identical%n",
                level, requests.size(), compared, fired);
    }

    /** Everyday values and attacks that fire at level 1, so the comparison holds matches without the CRS corpus. */
    private static final List<String> WORDS = List.of("red mug", "select comfort", "union jack", "o'brien", "1 or 1",
            "a=b", "' or 1=1--", "1 union select password from users", "<script>alert(1)</script>",
            "../../etc/passwd", "${jndi:ldap://x/a}", ";cat /etc/passwd", "<?php system($_GET[1]); ?>",
            "javascript:alert(1)", "sleep(5)#");

    /**
     * Requests whose query, cookies and a header hold fuzzed values: hex session ids, numbers, words, attacks,
     * and strings of letters, digits and the punctuation the rules' gates and literals react to.
     */
    static List<Request> fuzzed(int n, long seed) {
        java.util.Random random = new java.util.Random(seed);
        String alphabet = "abcdefxyzABCXYZ0123456789 .,;:'\"`$(){}[]<>/\\|&=!?*#@%+-_~^\t\n";
        List<Request> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String[] values = new String[4];
            for (int k = 0; k < values.length; k++) {
                values[k] = switch (random.nextInt(4)) {
                    case 0 -> Long.toHexString(random.nextLong());
                    case 1 -> Integer.toString(random.nextInt(100_000));
                    case 2 -> WORDS.get(random.nextInt(WORDS.size()));
                    default -> {
                        StringBuilder sb = new StringBuilder();
                        for (int c = random.nextInt(24); c > 0; c--) sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
                        yield sb.toString();
                    }
                };
            }
            var headers = new DefaultHttpHeaders(false);
            headers.add("Host", "shop.example");
            headers.add("Cookie", "session=" + values[0] + "; theme=" + values[1].replace(";", ""));
            headers.add("X-Note", values[2]);
            String query = "q=" + java.net.URLEncoder.encode(values[3], StandardCharsets.UTF_8) + "&p=" + values[1].length();
            out.add(new Request("GET", "/search?" + query, headers, new byte[0], new InetSocketAddress("198.51.100.7", 40000)));
        }
        return out;
    }

    /** Just enough HTTP/1.1 parsing to turn a corpus stage into a request; null when it is not one. */
    static Request parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) return null;
        String[] lines = text.substring(0, end).split("\r\n");
        String[] first = lines[0].split(" ");
        if (first.length < 3) return null;
        var headers = new DefaultHttpHeaders(false);
        for (String line : Arrays.asList(lines).subList(1, lines.length)) {
            int colon = line.indexOf(':');
            if (colon > 0) headers.add(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
        }
        byte[] body = Arrays.copyOfRange(raw, end + 4, raw.length);
        return new Request(first[0], first[1], headers, body, new InetSocketAddress("198.51.100.7", 40000));
    }
}
