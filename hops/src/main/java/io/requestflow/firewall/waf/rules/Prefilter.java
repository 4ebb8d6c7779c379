package io.requestflow.firewall.waf.rules;

import io.requestflow.firewall.waf.LiteralScanner;
import io.requestflow.firewall.waf.Target;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The literals each rule's regex needs (see {@link RequiredLiterals}), found for all rules in one scan
 * of each value: a rule's regex runs only on values that contain a literal of every one of its clauses.
 */
final class Prefilter {
    private final LiteralScanner scanner;

    /** Per rule, per clause: the clause's literal ids as pairs (index of a 64-bit word, bits in that word). */
    private Prefilter(LiteralScanner scanner) {
        this.scanner = scanner;
    }

    /** One scanner for the literals of all these rules; {@code clauses} receives each rule's masks, in order. */
    static Prefilter of(List<PatternRule> rules, List<long[][]> clauses) {
        List<List<Set<String>>> derived = new ArrayList<>();
        Set<String> literals = new LinkedHashSet<>();
        for (PatternRule r : rules) {
            List<Set<String>> c = r.pattern().flags() == 0 ? RequiredLiterals.of(r.pattern().pattern()) : List.of();
            derived.add(c);
            for (Set<String> clause : c) literals.addAll(clause);
        }
        Prefilter p = new Prefilter(new LiteralScanner(literals));
        for (List<Set<String>> c : derived) clauses.add(p.masks(c));
        return p;
    }

    private long[][] masks(List<Set<String>> clauses) {
        if (clauses.isEmpty()) return null;
        long[][] out = new long[clauses.size()][];
        int words = (scanner.size() + 63) >>> 6;
        for (int i = 0; i < clauses.size(); i++) {
            long[] dense = new long[words];
            for (String l : clauses.get(i)) {
                int id = scanner.id(l);
                dense[id >>> 6] |= 1L << id;
            }
            List<Long> sparse = new ArrayList<>();
            for (int w = 0; w < words; w++) {
                if (dense[w] != 0) {
                    sparse.add((long) w);
                    sparse.add(dense[w]);
                }
            }
            out[i] = sparse.stream().mapToLong(Long::longValue).toArray();
        }
        return out;
    }

    /** False when {@code view} (the rule's view of the target) lacks every literal of some clause. */
    boolean admits(long[][] clauses, Target target, String view) {
        if (clauses == null) return true;
        long[] hits = target.literalHits(scanner, view);
        for (long[] clause : clauses) {
            boolean any = false;
            for (int i = 0; i < clause.length; i += 2) {
                if ((hits[(int) clause[i]] & clause[i + 1]) != 0) {
                    any = true;
                    break;
                }
            }
            if (!any) return false;
        }
        return true;
    }
}
