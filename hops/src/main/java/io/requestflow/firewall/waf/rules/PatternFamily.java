package io.requestflow.firewall.waf.rules;

import io.requestflow.firewall.waf.Inspection;
import io.requestflow.firewall.waf.Match;
import io.requestflow.firewall.waf.RuleFamily;
import io.requestflow.firewall.waf.Target;

import io.requestflow.firewall.waf.LiteralScanner;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A family made of {@link PatternRule}s: each rule fires at most once per request. A rule's regex runs
 * only on values that contain the literals it needs (the {@link Prefilter}), found in one scan per value.
 */
public abstract class PatternFamily implements RuleFamily {
    private final List<PatternRule> rules;
    private Prefilter prefilter;
    /** Per rule (same order), the ways of matching whose literal clauses its view must satisfy; null: none known. */
    private Prefilter.Need[] required;
    /** Per rule (same order), its regex's top-level alternatives with their literals; null: not split. */
    private Alternatives[] alternatives;
    /** Per rule (same order), the characters its regex's matches start with; null: unknown. */
    private FirstChars[] firsts;
    /** The lookup tables of {@link #inspectRules}, rebuilt whenever the prefilter changes. */
    private Index index;

    protected PatternFamily(List<PatternRule> rules) {
        this.rules = rules;
        List<Prefilter.Need> clauses = new ArrayList<>();
        List<Alternatives> split = new ArrayList<>();
        List<FirstChars> starts = new ArrayList<>();
        this.prefilter = Prefilter.of(rules, clauses, split, starts);
        this.firsts = starts.toArray(new FirstChars[0]);
        this.required = clauses.toArray(new Prefilter.Need[0]);
        this.alternatives = split.toArray(new Alternatives[0]);
        this.index = new Index(rules, prefilter, required);
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
        List<FirstChars> starts = new ArrayList<>();
        Prefilter shared = Prefilter.of(all, clauses, split, starts);
        int i = 0;
        for (PatternFamily p : pattern) {
            p.prefilter = shared;
            p.required = clauses.subList(i, i + p.rules.size()).toArray(new Prefilter.Need[0]);
            p.alternatives = split.subList(i, i + p.rules.size()).toArray(new Alternatives[0]);
            p.firsts = starts.subList(i, i + p.rules.size()).toArray(new FirstChars[0]);
            p.index = new Index(p.rules, shared, p.required);
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

    /**
     * The family's pattern rules alone (what {@link #inspect} does before any family-specific checks).
     * Per value, the rules worth trying are worked out with bit sets (a family has at most 64 rules)
     * rather than rule by rule: those for its kind and the level, minus those already fired; of these,
     * those whose character gate the value meets; then, per view, those without known literals and
     * those with a first-clause literal among the literals found in that view. Only the rules left get
     * the prefilter's full check and their regex, so the outcome is the rule-by-rule loop's.
     */
    public final void inspectRules(Inspection request, int paranoia, List<Match> out) {
        Index ix = index;
        long[] byKind = ix.byKind[Math.max(0, Math.min(MAX_LEVEL, paranoia))];
        Match[] found = null;
        long fired = 0;
        // value by value, so a value's views and literal scan are reused by every rule that reads it;
        // each rule keeps its match on the first value in order, as a rule-by-rule loop would
        for (Target t : request.fresh()) { // a value known clean matches none of these rules (CleanValueMemo)
            long candidates = byKind[t.kind().ordinal()] & ~fired;
            if (candidates == 0) continue;
            long pass = candidates & ~ix.charGated;
            long gated = candidates & ix.charGated;
            if (gated != 0) {
                // the gated rules whose gate holds a character of the value: by the value's characters
                long meet = 0;
                for (long m = t.charsLo() & ix.gateCharsLo; m != 0; m &= m - 1) {
                    meet |= ix.byCharLo[Long.numberOfTrailingZeros(m)];
                }
                for (long m = t.charsHi() & ix.gateCharsHi; m != 0; m &= m - 1) {
                    meet |= ix.byCharHi[Long.numberOfTrailingZeros(m)];
                }
                pass |= gated & meet;
            }
            for (int v = 0; pass != 0 && v < ix.views.length; v++) {
                long inView = pass & ix.viewRules[v];
                if (inView == 0) continue;
                pass &= ~inView;
                String view = t.view(ix.views[v]);
                long run = inView & ix.noLiterals;
                long[] hits = prefilter.hits(t, view);
                if (hits != LiteralScanner.NONE && ix.firstBits != null) {
                    // only the words of the scan that hold a hit (its summary word), against this family's first literals
                    long[] first = ix.firstBits;
                    for (long present = hits[first.length] & ix.firstWords; present != 0; present &= present - 1) {
                        int w = Long.numberOfTrailingZeros(present);
                        for (long bits = hits[w] & first[w]; bits != 0; bits &= bits - 1) {
                            run |= inView & ix.byFirstLiteral[(w << 6) + Long.numberOfTrailingZeros(bits)];
                        }
                    }
                } else if (hits != LiteralScanner.NONE) {
                    long[] words = ix.firstLiteralWords;
                    for (int k = 0; k < words.length; k += 2) {
                        int w = (int) words[k];
                        for (long bits = hits[w] & words[k + 1]; bits != 0; bits &= bits - 1) {
                            run |= inView & ix.byFirstLiteral[(w << 6) + Long.numberOfTrailingZeros(bits)];
                        }
                    }
                }
                for (; run != 0; run &= run - 1) {
                    int r = Long.numberOfTrailingZeros(run);
                    if (!prefilter.admits(required[r], t, view)) continue;
                    Match m = prefilter.match(ix.rules[r], alternatives[r], firsts[r], t, view);
                    if (m != null) {
                        if (found == null) found = new Match[ix.rules.length];
                        found[r] = m;
                        fired |= 1L << r;
                    }
                }
            }
        }
        if (found != null) for (Match m : found) if (m != null) out.add(m);
    }

    /** A family's rules as bit sets (bit r is rule r), for {@link #inspectRules}. */
    private static final class Index {
        final PatternRule[] rules;
        /** [level][kind]: the rules at or below that level that inspect that kind of target. */
        final long[][] byKind = new long[MAX_LEVEL + 1][Target.Kind.values().length];
        /** Rules with a character gate, and each rule's gate as {low, high} ASCII masks. */
        long charGated;
        final long[] charLo;
        final long[] charHi;
        /** Per ASCII character (low: c, high: c - 64), the rules whose gate holds it; the characters in any gate. */
        final long[] byCharLo = new long[64];
        final long[] byCharHi = new long[64];
        long gateCharsLo;
        long gateCharsHi;
        /** The distinct views (transforms; null is the value itself) and the rules that read each. */
        final UnaryOperator<String>[] views;
        final long[] viewRules;
        /** Rules without known literals: their regex runs whenever the other checks pass. */
        long noLiterals;
        /** Per literal id, the rules with that literal in the first clause of one of their ways. */
        final long[] byFirstLiteral;
        /** The literal ids that are in such a clause of some rule, as (word index, bits) pairs. */
        final long[] firstLiteralWords;
        /** The same ids by word (null when the scanner has more than 64 words, so no summary), and which words have any. */
        final long[] firstBits;
        long firstWords;

        @SuppressWarnings("unchecked")
        Index(List<PatternRule> list, Prefilter prefilter, Prefilter.Need[] required) {
            if (list.size() > 64) throw new IllegalArgumentException("a family holds at most 64 rules");
            rules = list.toArray(new PatternRule[0]);
            charLo = new long[rules.length];
            charHi = new long[rules.length];
            byFirstLiteral = new long[prefilter.literals()];
            List<UnaryOperator<String>> distinct = new ArrayList<>();
            List<Long> readers = new ArrayList<>();
            for (int r = 0; r < rules.length; r++) {
                PatternRule rule = rules[r];
                long bit = 1L << r;
                for (int level = 0; level <= MAX_LEVEL; level++) {
                    if (rule.paranoia() > level) continue;
                    for (Target.Kind kind : rule.where()) byKind[level][kind.ordinal()] |= bit;
                }
                if (rule.chars() != null) {
                    charGated |= bit;
                    charLo[r] = rule.chars()[0];
                    charHi[r] = rule.chars()[1];
                    for (long m = charLo[r]; m != 0; m &= m - 1) byCharLo[Long.numberOfTrailingZeros(m)] |= bit;
                    for (long m = charHi[r]; m != 0; m &= m - 1) byCharHi[Long.numberOfTrailingZeros(m)] |= bit;
                    gateCharsLo |= charLo[r];
                    gateCharsHi |= charHi[r];
                }
                int v = 0;
                while (v < distinct.size() && distinct.get(v) != rule.transform()) v++;
                if (v == distinct.size()) {
                    distinct.add(rule.transform());
                    readers.add(0L);
                }
                readers.set(v, readers.get(v) | bit);
                Prefilter.Need need = required[r];
                if (need == null) {
                    noLiterals |= bit;
                } else {
                    long[] first = need.first();
                    for (int k = 0; k < first.length; k += 2) {
                        for (long bits = first[k + 1]; bits != 0; bits &= bits - 1) {
                            byFirstLiteral[((int) first[k] << 6) + Long.numberOfTrailingZeros(bits)] |= bit;
                        }
                    }
                }
            }
            List<Long> words = new ArrayList<>();
            for (int w = 0; w << 6 < byFirstLiteral.length; w++) {
                long bits = 0;
                for (int b = 0; b < 64 && (w << 6) + b < byFirstLiteral.length; b++) {
                    if (byFirstLiteral[(w << 6) + b] != 0) bits |= 1L << b;
                }
                if (bits != 0) {
                    words.add((long) w);
                    words.add(bits);
                }
            }
            firstLiteralWords = words.stream().mapToLong(Long::longValue).toArray();
            int scanWords = (prefilter.literals() + 63) >>> 6;
            firstBits = scanWords <= 64 ? new long[scanWords] : null;
            if (firstBits != null) {
                for (int k = 0; k < firstLiteralWords.length; k += 2) {
                    firstBits[(int) firstLiteralWords[k]] = firstLiteralWords[k + 1];
                    firstWords |= 1L << firstLiteralWords[k];
                }
            }
            views = distinct.toArray(new UnaryOperator[0]);
            viewRules = readers.stream().mapToLong(Long::longValue).toArray();
        }
    }

    private static final int MAX_LEVEL = 4;
}
