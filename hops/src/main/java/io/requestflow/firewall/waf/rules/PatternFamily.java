package io.requestflow.firewall.waf.rules;

import io.requestflow.firewall.waf.Inspection;
import io.requestflow.firewall.waf.Match;
import io.requestflow.firewall.waf.RuleFamily;
import io.requestflow.firewall.waf.Target;

import java.util.List;

/** A family made of {@link PatternRule}s: each rule fires at most once per request. */
public abstract class PatternFamily implements RuleFamily {
    private final List<PatternRule> rules;

    protected PatternFamily(List<PatternRule> rules) {
        this.rules = rules;
    }

    @Override
    public void inspect(Inspection request, int paranoia, List<Match> out) {
        for (PatternRule rule : rules) {
            if (rule.paranoia() > paranoia) continue;
            for (Target t : request.targets()) {
                Match m = rule.test(t);
                if (m != null) {
                    out.add(m);
                    break;
                }
            }
        }
    }
}
