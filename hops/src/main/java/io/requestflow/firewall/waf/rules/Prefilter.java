package io.requestflow.firewall.waf.rules;

import io.requestflow.firewall.waf.LiteralScanner;
import io.requestflow.firewall.waf.Match;
import io.requestflow.firewall.waf.Target;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The literals each rule's regex needs (see {@link RequiredLiterals}), found for all rules in one scan
 * of each value: a rule's regex runs only on values that contain a literal of every one of its clauses.
 */
final class Prefilter {
    private final LiteralScanner scanner;

    /**
     * The ways a regex (or one alternative of it) can match, as clause masks, and {@code first}: every
     * literal of every way's first clause, one bit per literal. A way holds only if its first clause
     * does, so a value with none of {@code first} satisfies no way: one pass over a few words rejects
     * most values before the ways are tried one by one. Sparse, as the clauses: (word index, bits) pairs
     * for the words that have any.
     */
    record Need(long[][][] ways, long[] first) {}

    /** Clause masks are the clause's literal ids as pairs (index of a 64-bit word, bits in that word). */
    private Prefilter(LiteralScanner scanner) {
        this.scanner = scanner;
    }

    /**
     * One scanner for the literals of all these rules; {@code required} receives, for each rule in order,
     * the ways its regex can match, each as clause masks (null: nothing known, the regex always runs), and
     * {@code split} its regex's top-level alternatives with the ways of each (null when the regex is not
     * split, see {@link Alternatives}).
     */
    static Prefilter of(List<PatternRule> rules, List<Need> required, List<Alternatives> split,
                        List<FirstChars> firsts) {
        List<List<List<Set<String>>>> derived = new ArrayList<>();
        List<List<String>> branches = new ArrayList<>();
        List<List<List<List<Set<String>>>>> branchWays = new ArrayList<>();
        Set<String> literals = new LinkedHashSet<>();
        for (PatternRule r : rules) {
            List<List<Set<String>>> ways = r.pattern().flags() == 0 ? RequiredLiterals.ways(r.pattern().pattern())
                    : List.of();
            derived.add(ways);
            for (List<Set<String>> way : ways) for (Set<String> clause : way) literals.addAll(clause);
            List<String> parts = r.pattern().flags() == 0 ? Alternatives.split(r.pattern().pattern()) : null;
            List<List<List<Set<String>>>> partWays = new ArrayList<>();
            if (parts != null) {
                for (String part : parts) {
                    List<List<Set<String>>> w = RequiredLiterals.ways(part);
                    partWays.add(w);
                    for (List<Set<String>> way : w) for (Set<String> clause : way) literals.addAll(clause);
                }
            }
            branches.add(parts);
            branchWays.add(partWays);
        }
        Prefilter p = new Prefilter(new LiteralScanner(literals));
        for (List<List<Set<String>>> ways : derived) required.add(p.masks3(ways));
        for (PatternRule r : rules) firsts.add(r.pattern().flags() == 0 ? FirstChars.of(r.pattern().pattern()) : null);
        for (int r = 0; r < rules.size(); r++) {
            List<String> parts = branches.get(r);
            if (parts == null) {
                split.add(null);
                continue;
            }
            Pattern[] patterns = new Pattern[parts.size()];
            Need[] ways = new Need[parts.size()];
            FirstChars[] starts = new FirstChars[parts.size()];
            for (int i = 0; i < parts.size(); i++) {
                patterns[i] = Pattern.compile(parts.get(i));
                ways[i] = p.masks3(branchWays.get(r).get(i));
                starts[i] = FirstChars.of(parts.get(i));
            }
            split.add(new Alternatives(patterns, ways, starts));
        }
        return p;
    }

    /** The ways as clause masks; null when nothing is known (the regex always runs). */
    private Need masks3(List<List<Set<String>>> ways) {
        if (ways.isEmpty()) return null;
        long[][][] masks = new long[ways.size()][][];
        long[] first = new long[(scanner.size() + 63) >>> 6];
        for (int i = 0; i < ways.size(); i++) {
            masks[i] = masks(ways.get(i));
            long[] clause = masks[i][0];
            for (int k = 0; k < clause.length; k += 2) first[(int) clause[k]] |= clause[k + 1];
        }
        return new Need(masks, sparse(first));
    }

    private static long[] sparse(long[] dense) {
        List<Long> pairs = new ArrayList<>();
        for (int w = 0; w < dense.length; w++) {
            if (dense[w] != 0) {
                pairs.add((long) w);
                pairs.add(dense[w]);
            }
        }
        return pairs.stream().mapToLong(Long::longValue).toArray();
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
            out[i] = sparse(dense);
        }
        return out;
    }

    /** How many literals the scanner knows (ids are 0 to this, exclusive). */
    int literals() {
        return scanner.size();
    }

    /** Which literals occur in {@code view} (the target's value or a view of it), see {@link LiteralScanner#scan}. */
    long[] hits(Target target, String view) {
        return target.literalHits(scanner, view);
    }

    /** False when {@code view} (the rule's view of the target) satisfies none of the ways the regex can match. */
    boolean admits(Need need, Target target, String view) {
        if (need == null) return true;
        long[] hits = target.literalHits(scanner, view);
        if (hits == LiteralScanner.NONE) return false; // every way needs at least one literal
        return any(need, hits);
    }

    /**
     * The rule's match on {@code view}, running only the alternatives of its regex whose literals occur
     * in the view ({@code alternatives} null: the whole regex). Call after {@link #admits}.
     */
    Match match(PatternRule rule, Alternatives alternatives, FirstChars first, Target target, String view) {
        if (alternatives == null) return rule.match(target, view, first);
        long[] hits = target.literalHits(scanner, view);
        Pattern[] all = alternatives.patterns();
        Pattern[] run = new Pattern[all.length];
        FirstChars[] starts = new FirstChars[all.length];
        int n = 0;
        for (int i = 0; i < all.length; i++) {
            Need need = alternatives.ways()[i];
            if (need == null || (hits != LiteralScanner.NONE && any(need, hits))) {
                starts[n] = alternatives.firsts()[i];
                run[n++] = all[i];
            }
        }
        if (n == all.length) return rule.match(target, view, first);
        if (n == 0) return null; // no alternative can match, so neither can the whole regex
        return rule.matchFirst(target, view, run, starts, n);
    }

    private static boolean any(Need need, long[] hits) {
        long[] first = need.first();
        boolean possible = false;
        for (int k = 0; k < first.length; k += 2) {
            if ((first[k + 1] & hits[(int) first[k]]) != 0) {
                possible = true;
                break;
            }
        }
        if (!possible) return false;
        for (long[][] way : need.ways()) if (satisfied(way, hits)) return true;
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
