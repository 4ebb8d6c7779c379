package io.requestflow.firewall;

import io.requestflow.engine.http.Request;
import io.requestflow.firewall.waf.Inspection;
import io.requestflow.firewall.waf.Target;
import io.requestflow.firewall.waf.Waf;
import io.requestflow.firewall.waf.WafConfig;
import io.requestflow.firewall.waf.rules.Alternatives;
import io.requestflow.firewall.waf.rules.FirstChars;
import io.requestflow.firewall.waf.rules.PatternFamily;
import io.requestflow.firewall.waf.rules.PatternRule;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gates added for URL-shaped values (the cheap necessary condition checked before a rule's regex,
 * on the rule's view of the value: {@code CommandGates}, {@code XssRules.mayAssignHandler}) turn away no
 * value their regex matches: over every value and raw value of the benign corpus and the CRS corpus,
 * and over attacks each must let through (these hold in a clean checkout without the CRS corpus).
 */
class RuleGateEquivalenceTest {
    /** Values the rules' regexes match, one or more per gate this test was written for. */
    private static final Map<String, List<String>> ATTACKS = Map.of(
            "RCE-100", List.of("; cat /etc/passwd", "a|ls", "$(whoami)", "{ id;}", "&&(  wget x", ";/usr/bin/g++ x",
                    "x;python3.8+y", "x;ls\u0085", "x;ls\r\n", "!ls", "a&&curl", "`id`"),
            "RCE-105", List.of("; ls -la", "|cat /etc/x", "$(curl ~", "  sudo rm", "timeout 5", "&&wget $x", "a;x ./y",
                    "nohup\tx"),
            "RCE-205", List.of("curl -o x", "?wget -q", "q=nc -e", "&  ls --all"),
            "RCE-150", List.of(" /bin/sh", "=/dev/tcp/1", "/??/c?t", ";/usr/local/sbin/x", "/*/*"),
            "RCE-220", List.of("() { :; }", "f(){ x;}; f", "alias ll='ls'", "cat<<<x", "{,a}", "{a,b}", "~+", "!-1",
                    "; . /x", ";trap 'x'", "-exec rm {} ;", "/e*c/pa*", "$shell", "bin/sh", "usr/sbin/x"),
            "XSS-110", List.of("x onerror=1", "<a/onload =x", "1onclick=", "onmouseover=x", "(onfocus\t=",
                    "\"onxcapture=1"),
            "XSS-115", List.of("x onfoobar=1", "<a/onabcd =x", "onzzzz=", "'onwhatever\n="));

    @Test
    void gatesLetThroughEveryValueTheirRegexMatches() throws Exception {
        Set<String> values = new LinkedHashSet<>();
        ATTACKS.values().forEach(values::addAll);
        values.addAll(List.of("", " ", "&", "/", "?", "on", "on=", "https://shop.requestflow.test/api/products/search"
                + "?q=wireless headphones sony&page=12&sort=price_asc&minprice=20&maxprice=150"));
        List<Request> requests = new ArrayList<>(BenignCorpus.generate(3_000, 11L));
        Path crs = CrsCorpus.locate();
        CrsCorpus.addRequests(requests);
        for (Request r : requests) {
            for (Target t : new Inspection(r, 255).targets()) {
                values.add(t.value());
                values.add(t.raw());
            }
        }
        List<PatternRule> gated = new ArrayList<>();
        for (var f : new Waf(WafConfig.defaults()).families()) {
            if (f instanceof PatternFamily p) gated.addAll(p.rules().stream().filter(r -> ATTACKS.containsKey(r.id())).toList());
        }
        Map<String, int[]> counts = new TreeMap<>(); // per rule: values turned away, values the regex matches
        List<String> all = new ArrayList<>(values);
        int longValues = 0;
        Map<Object, List<String>> views = new java.util.HashMap<>(); // per transform, the views of all values
        for (PatternRule rule : gated) {
            List<String> seen = views.computeIfAbsent(rule.transform() == null ? "value" : rule.transform(),
                    k -> rule.transform() == null ? all : all.stream().map(rule.transform()).toList());
            int[] c = counts.computeIfAbsent(rule.id(), k -> new int[2]);
            // a top-level alternation matches where one of its alternatives does (AlternativesTest), each
            // searched only where a match can start: the same matches as find (StartGateEquivalenceTest), far sooner
            List<String> parts = Alternatives.split(rule.pattern().pattern());
            List<Pattern> patterns = parts == null ? List.of(rule.pattern()) : parts.stream().map(Pattern::compile).toList();
            List<FirstChars> starts = patterns.stream().map(p -> FirstChars.of(p.pattern())).toList();
            for (int i = 0; i < all.size(); i++) {
                String view = seen.get(i);
                boolean through = rule.gate().test(view);
                if (!through) c[0]++;
                // values over 4,096 characters are left out (RCE-220's regex takes seconds on long runs of
                // letters, and every gate reads a few characters around each position, so a longer value shows nothing new)
                if (view.length() > 4_096) {
                    longValues++;
                    continue;
                }
                boolean matches = false;
                for (int k = 0; k < patterns.size() && !matches; k++) {
                    Matcher m = patterns.get(k).matcher(view);
                    matches = starts.get(k) == null ? m.find() : starts.get(k).find(m, view);
                }
                if (!matches) continue;
                c[1]++;
                assertThat(through).as("%s's gate turns away %s, which its regex matches", rule.id(), view).isTrue();
            }
        }
        for (var e : ATTACKS.entrySet()) {
            PatternRule rule = gated.stream().filter(r -> r.id().equals(e.getKey())).findFirst().orElseThrow();
            for (String v : e.getValue()) {
                String view = rule.transform() == null ? v : rule.transform().apply(v);
                assertThat(rule.pattern().matcher(view).find()).as("%s matches %s", rule.id(), view).isTrue();
            }
            assertThat(counts.get(e.getKey())[0]).as("values %s's gate turns away", e.getKey())
                    .isGreaterThan(crs == null ? 1_000 : 10_000);
        }
        assertThat(values).hasSizeGreaterThan(crs == null ? 5_000 : 20_000);
        System.out.printf("rule gates: %d values (%d views over 4,096 characters left out), %d gated rules;"
                + " turned away / matched: %s%n", values.size(), longValues, gated.size(), counts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()[0] + "/" + e.getValue()[1])
                        .toList());
    }
}
