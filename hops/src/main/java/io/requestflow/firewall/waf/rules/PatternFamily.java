package io.requestflow.firewall.waf.rules;

import io.requestflow.firewall.waf.Inspection;
import io.requestflow.firewall.waf.Match;
import io.requestflow.firewall.waf.RuleFamily;
import io.requestflow.firewall.waf.Target;

import java.util.ArrayList;
import java.util.List;

/**
 * A family made of {@link PatternRule}s: each rule fires at most once per request. A rule's regex runs
 * only on values that contain the literals it needs (the {@link Prefilter}), found in one scan per value.
 */
public abstract class PatternFamily implements RuleFamily {
    private final List<PatternRule> rules;
    private final int[][][] candidates;
    private Prefilter prefilter;
    /** Per rule (same order), the ways of matching whose literal clauses its view must satisfy; null: none known. */
    private Prefilter.Need[] required;
    /** Per rule (same order), its regex's top-level alternatives with their literals; null: not split. */
    private Alternatives[] alternatives;

    protected PatternFamily(List<PatternRule> rules) {
        this.rules = rules;
        this.candidates = candidates(rules);
        List<Prefilter.Need> clauses = new ArrayList<>();
        List<Alternatives> split = new ArrayList<>();
        this.prefilter = Prefilter.of(rules, clauses, split);
        this.required = clauses.toArray(new Prefilter.Need[0]);
        this.alternatives = split.toArray(new Alternatives[0]);
    }

    /**
     * Makes these families share one literal scanner, so each value is scanned once for all of them
     * rather than once per family. Call before the families are used.
     */
    public static void shareLiterals(List<? extends RuleFamily> families) {
        List<PatternFamily> pattern = new ArrayList<>();
        List<PatternRule> all = new ArrayList<>();
        for (RuleFamily f : families) {
            if (f instanceof PatternFamily p) {
                pattern.add(p);
                all.addAll(p.rules);
            }
        }
        List<Prefilter.Need> clauses = new ArrayList<>();
        List<Alternatives> split = new ArrayList<>();
        Prefilter shared = Prefilter.of(all, clauses, split);
        int i = 0;
        for (PatternFamily p : pattern) {
            p.prefilter = shared;
            p.required = clauses.subList(i, i + p.rules.size()).toArray(new Prefilter.Need[0]);
            p.alternatives = split.subList(i, i + p.rules.size()).toArray(new Alternatives[0]);
            i += p.rules.size();
        }
    }

    /** The family's rules, in order. */
    public List<PatternRule> rules() {
        return rules;
    }

    @Override
    public void inspect(Inspection request, int paranoia, List<Match> out) {
        inspectRules(request, paranoia, out);
    }

    /** The family's pattern rules alone (what {@link #inspect} does before any family-specific checks). */
    public final void inspectRules(Inspection request, int paranoia, List<Match> out) {
        int[][] byKind = candidates[Math.max(0, Math.min(MAX_LEVEL, paranoia))];
        Match[] found = new Match[rules.size()];
        // value by value, so a value's views and literal scan are reused by every rule that reads it;
        // each rule keeps its match on the first value in order, as a rule-by-rule loop would
        for (Target t : request.targets()) {
            for (int r : byKind[t.kind().ordinal()]) {
                if (found[r] != null) continue;
                PatternRule rule = rules.get(r);
                if (!rule.applies(t)) continue;
                String view = t.view(rule.transform());
                if (!prefilter.admits(required[r], t, view)) continue;
                found[r] = prefilter.match(rule, alternatives[r], t, view);
            }
        }
        for (Match m : found) if (m != null) out.add(m);
    }

    private static final int MAX_LEVEL = 4;

    /** [level][kind]: indexes of the rules at or below that paranoia level that inspect that kind of target. */
    private static int[][][] candidates(List<PatternRule> rules) {
        int[][][] out = new int[MAX_LEVEL + 1][Target.Kind.values().length][];
        for (int level = 0; level <= MAX_LEVEL; level++) {
            for (Target.Kind kind : Target.Kind.values()) {
                List<Integer> ids = new ArrayList<>();
                for (int r = 0; r < rules.size(); r++) {
                    PatternRule rule = rules.get(r);
                    if (rule.paranoia() <= level && rule.where().contains(kind)) ids.add(r);
                }
                out[level][kind.ordinal()] = ids.stream().mapToInt(Integer::intValue).toArray();
            }
        }
        return out;
    }
}
