package io.requestflow.firewall;

import io.requestflow.engine.http.Request;
import io.requestflow.firewall.waf.Inspection;
import io.requestflow.firewall.waf.QuietView;
import io.requestflow.firewall.waf.RuleFamily;
import io.requestflow.firewall.waf.Target;
import io.requestflow.firewall.waf.Waf;
import io.requestflow.firewall.waf.WafConfig;
import io.requestflow.firewall.waf.rules.PatternFamily;
import io.requestflow.firewall.waf.rules.PatternRule;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every rule view that says which characters it reacts to ({@link QuietView}) returns a value without them
 * unchanged, and a target's view is the view's result whether the target runs it or answers from its character
 * mask: over every value and raw value of the benign corpus and of the CRS corpus (when it is on this machine),
 * and over fuzzed values from all of ASCII and non-ASCII blanks, line ends and fullwidth forms.
 */
class ViewTriggersTest {
    private static final String WIDE = "\u00a0\u0085\u1680\u2000\u2007\u2028\u2029\u205f\u3000\uff0f\uff3c\uff04\u00e9\u0131";

    @Test
    void aValueWithoutTheTriggersIsItsOwnView() throws Exception {
        Set<QuietView> views = new LinkedHashSet<>();
        for (RuleFamily f : new Waf(WafConfig.defaults()).families()) {
            if (!(f instanceof PatternFamily p)) continue;
            for (PatternRule r : p.rules()) if (r.transform() instanceof QuietView q) views.add(q);
        }
        assertThat(views).as("the views with triggers (shell, Windows, SQL, PHP, slashes, squeeze, JS, JNDI lookups)")
                .hasSize(8);
        List<String> values = new ArrayList<>(List.of("", " ", "  ", "a  b", "a b", "a\tb", "$ifs", "a,b", "/*x*/",
                "a//b", "a\\b", "(x)", "java script:", "${jndi:ldap://x}", "${lower:j}${::-n}di", "$", "$x{", "\u001c", "a\u2028b", "ａ\u3000b", "x\u0085*/"));
        List<Request> requests = new ArrayList<>(BenignCorpus.generate(3_000, 19L));
        CrsCorpus.addRequests(requests);
        for (Request r : requests) {
            for (Target t : new Inspection(r, 255).targets()) {
                values.add(t.value());
                values.add(t.raw());
            }
        }
        Random random = new Random(19L);
        for (int i = 0; i < 200_000; i++) {
            StringBuilder b = new StringBuilder();
            for (int n = random.nextInt(10); n > 0; n--) {
                int pick = random.nextInt(10);
                b.append(pick < 5 ? (char) ('a' + random.nextInt(26)) : pick < 8 ? (char) random.nextInt(128)
                        : WIDE.charAt(random.nextInt(WIDE.length())));
            }
            values.add(b.toString());
        }
        int quiet = 0;
        for (String v : values) {
            Target t = new Target(Target.Kind.ARG, "a", v, v);
            for (QuietView q : views) {
                String expected = q.apply(v);
                if (q.leaves(t.charsLo(), t.charsHi(), !v.chars().allMatch(c -> c < 128))) {
                    quiet++;
                    assertThat(expected).as("%s of %s", q, v).isEqualTo(v);
                }
                assertThat(t.view(q)).as("%s of %s", q, v).isEqualTo(expected);
            }
        }
        assertThat(quiet).as("values answered from the mask").isGreaterThan(100_000);
    }
}
