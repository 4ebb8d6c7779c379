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

    /** Clause masks are the clause's literal ids as pairs (index of a 64-bit word, bits in that word). */
    private Prefilter(LiteralScanner scanner) {
        this.scanner = scanner;
    }

    /**
     * One scanner for the literals of all these rules; {@code required} receives, for each rule in order,
     * the ways its regex can match, each as clause masks (null: nothing known, the regex always runs).
     */
    static Prefilter of(List<PatternRule> rules, List<long[][][]> required) {
        List<List<List<Set<String>>>> derived = new ArrayList<>();
        Set<String> literals = new LinkedHashSet<>();
        for (PatternRule r : rules) {
            List<List<Set<String>>> ways = r.pattern().flags() == 0 ? RequiredLiterals.ways(r.pattern().pattern())
                    : List.of();
            derived.add(ways);
            for (List<Set<String>> way : ways) for (Set<String> clause : way) literals.addAll(clause);
        }
        Prefilter p = new Prefilter(new LiteralScanner(literals));
        for (List<List<Set<String>>> ways : derived) {
            if (ways.isEmpty()) {
                required.add(null);
                continue;
            }
            long[][][] masks = new long[ways.size()][][];
            for (int i = 0; i < ways.size(); i++) masks[i] = p.masks(ways.get(i));
            required.add(masks);
        }
        return p;
    }

    private long[][] masks(List<Set<String>> clauses) {
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

    /** False when {@code view} (the rule's view of the target) satisfies none of the ways the regex can match. */
    boolean admits(long[][][] ways, Target target, String view) {
        if (ways == null) return true;
        long[] hits = target.literalHits(scanner, view);
        if (hits == LiteralScanner.NONE) return false; // every way needs at least one literal
        for (long[][] way : ways) {
            if (satisfied(way, hits)) return true;
        }
        return false;
    }

    /** Every clause of the way has a literal among the hits. */
    private static boolean satisfied(long[][] way, long[] hits) {
        for (long[] clause : way) {
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
