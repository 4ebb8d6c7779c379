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
 * on every value, over the benign corpus and (when present) every request of the CRS corpus, at level 4.
 */
class PrefilterEquivalenceTest {

    @Test
    void familiesMatchExactlyWhatEveryRegexOnEveryValueMatches() throws Exception {
        List<Request> requests = new ArrayList<>(BenignCorpus.generate(3_000, 7L));
        Path crs = CrsCorpus.locate();
        if (crs != null) {
            for (CrsCorpus.Stage s : CrsCorpus.load(crs)) {
                Request r = parse(s.request());
                if (r != null) requests.add(r);
            }
        }
        Waf waf = new Waf(WafConfig.defaults().withParanoia(4).withAuditLog(""));
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
                    for (Target t : inspection.targets()) {
                        Match m = rule.test(t);
                        if (m != null) {
                            expected.add(m);
                            break;
                        }
                    }
                }
                List<Match> actual = new ArrayList<>();
                family.inspectRules(inspection, 4, actual);
                assertThat(actual).as("%s on %s %s", family.prefix(), r.method(), r.uri()).isEqualTo(expected);
                compared++;
                fired += expected.size();
            }
        }
        assertThat(fired).as("rule matches compared").isGreaterThan(crs == null ? 100 : 5_000);
        System.out.printf("prefilter equivalence: %d requests, %d family runs, %d matches identical%n",
                requests.size(), compared, fired);
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
