package io.requestflow.firewall.waf.rules;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a regular expression and derives literals it cannot match without, as clauses: every match
 * contains at least one literal of each clause. A rule whose clauses are not all present in a value
 * cannot match it, so its regex is not run. Anything this reader does not understand contributes no
 * clause (never a wrong one): the rule then simply runs more often.
 */
final class RequiredLiterals {
    /** Bounds on the finite sets of strings tracked for a sub-expression. */
    private static final int MAX_STRINGS = 64;
    private static final int MAX_LENGTH = 24;
    private static final int MAX_CLAUSES = 4;

    /** The reader met syntax it does not model; the whole pattern then yields no clause. */
    private static final class Unsupported extends RuntimeException {
        Unsupported(String why) {
            super(why, null, false, false);
        }
    }

    /**
     * What is known about a sub-expression: a finite superset of the strings it can match (or null when
     * unbounded or unknown) and clauses that hold for every string it matches.
     */
    private record Info(Set<String> exact, List<Set<String>> clauses, List<List<Set<String>>> alternatives) {
        Info(Set<String> exact, List<Set<String>> clauses) {
            this(exact, clauses, null);
        }

        /** The ways this expression can match, each as clauses that all hold (one way: {@link #clauses}). */
        List<List<Set<String>>> ways() {
            return alternatives == null ? List.of(clauses) : alternatives;
        }
    }

    private static final Info ANY = new Info(null, List.of());
    private static final Info EMPTY = new Info(Set.of(""), List.of());
    /** Bound on the number of ways tracked for an alternation. */
    private static final int MAX_WAYS = 32;

    private final String re;
    private int pos;

    private RequiredLiterals(String re) {
        this.re = re;
    }

    /** The clauses for {@code regex} (compiled without flags); empty when nothing can be said. */
    static List<Set<String>> of(String regex) {
        Info info = read(regex);
        return info == null ? List.of() : best(info.clauses(), MAX_CLAUSES);
    }

    /**
     * The ways {@code regex} can match, each a list of clauses that all hold for it: a value that
     * satisfies no way cannot match. Empty when nothing can be said (some way needs no literal).
     */
    static List<List<Set<String>>> ways(String regex) {
        Info info = read(regex);
        if (info == null) return List.of();
        List<List<Set<String>>> ways = new ArrayList<>();
        for (List<Set<String>> way : info.ways()) {
            if (way.isEmpty()) return List.of();
            ways.add(best(way, MAX_CLAUSES));
        }
        if (ways.size() > 1 && !info.clauses().isEmpty()) {
            // a way is also bound by the clauses common to all ways; one check keeps the list short
            List<Set<String>> common = best(info.clauses(), 1);
            for (List<Set<String>> way : ways) if (way.size() < MAX_CLAUSES && !way.contains(common.get(0))) way.add(common.get(0));
        }
        return ways;
    }

    private static Info read(String regex) {
        try {
            RequiredLiterals r = new RequiredLiterals(regex);
            Info info = r.alternation();
            if (r.pos != regex.length()) throw new Unsupported("unbalanced )");
            return info;
        } catch (Unsupported | IndexOutOfBoundsException | NumberFormatException e) {
            return null;
        }
    }

    private Info alternation() {
        List<Info> alternatives = new ArrayList<>();
        alternatives.add(sequence());
        while (pos < re.length() && re.charAt(pos) == '|') {
            pos++;
            alternatives.add(sequence());
        }
        if (alternatives.size() == 1) return alternatives.get(0);
        Set<String> exact = new LinkedHashSet<>();
        for (Info a : alternatives) {
            if (a.exact() == null || exact == null) {
                exact = null;
            } else {
                exact.addAll(a.exact());
                if (exact.size() > MAX_STRINGS) exact = null;
            }
        }
        if (exact != null) return new Info(exact, exact.contains("") ? List.of() : List.of(minimal(exact)));
        // (A1 and A2) or (B1 and B2) = (A1 or B1) and (A1 or B2) and (A2 or B1) and (A2 or B2), bounded
        List<List<Set<String>>> choices = new ArrayList<>();
        long combinations = 1;
        for (Info a : alternatives) {
            if (a.clauses().isEmpty()) return ANY; // one way needs no literal: neither does the whole
            choices.add(a.clauses());
            combinations *= a.clauses().size();
        }
        int perAlternative = combinations <= 8 ? Integer.MAX_VALUE : 1;
        List<Set<String>> clauses = new ArrayList<>();
        clauses.add(new LinkedHashSet<>());
        for (List<Set<String>> options : choices) {
            List<Set<String>> picked = best(options, perAlternative);
            List<Set<String>> grown = new ArrayList<>();
            for (Set<String> partial : clauses) {
                for (Set<String> option : picked) {
                    Set<String> union = new LinkedHashSet<>(partial);
                    union.addAll(option);
                    grown.add(union);
                }
            }
            clauses = grown;
        }
        List<Set<String>> result = new ArrayList<>();
        for (Set<String> c : clauses) result.add(minimal(c));
        List<List<Set<String>>> ways = new ArrayList<>();
        for (Info a : alternatives) ways.addAll(a.ways());
        return new Info(null, best(result, MAX_CLAUSES), ways.size() <= MAX_WAYS ? ways : null);
    }

    private Info sequence() {
        List<Set<String>> clauses = new ArrayList<>();
        Set<String> run = Set.of("");
        boolean allExact = true;
        List<Info> withWays = new ArrayList<>();
        while (pos < re.length() && re.charAt(pos) != '|' && re.charAt(pos) != ')') {
            Info item = quantified(atom());
            if (item.alternatives() != null) withWays.add(item);
            if (item.exact() != null) {
                Set<String> joined = concat(run, item.exact());
                if (joined != null) {
                    run = joined;
                    continue;
                }
                allExact = false;
                addClause(clauses, run);
                run = item.exact();
            } else {
                allExact = false;
                addClause(clauses, run);
                run = Set.of("");
                clauses.addAll(item.clauses());
            }
        }
        addClause(clauses, run);
        if (allExact) return new Info(run, clauses);
        // the ways of the one item that has several, each joined with the sequence's own clauses
        List<List<Set<String>>> ways = null;
        for (Info item : withWays) {
            if (ways != null) return new Info(null, clauses); // several such items: keep it simple
            ways = new ArrayList<>();
            for (List<Set<String>> way : item.ways()) {
                List<Set<String>> joined = new ArrayList<>(way);
                for (Set<String> c : clauses) if (!joined.contains(c)) joined.add(c);
                ways.add(joined);
            }
        }
        return new Info(null, clauses, ways);
    }

    private static void addClause(List<Set<String>> clauses, Set<String> strings) {
        if (!strings.contains("")) clauses.add(minimal(strings));
    }

    private static Set<String> concat(Set<String> a, Set<String> b) {
        if ((long) a.size() * b.size() > MAX_STRINGS) return null;
        Set<String> out = new LinkedHashSet<>();
        for (String x : a) {
            for (String y : b) {
                if (x.length() + y.length() > MAX_LENGTH) return null;
                out.add(x + y);
            }
        }
        return out;
    }

    private Info quantified(Info atom) {
        if (pos >= re.length()) return atom;
        char c = re.charAt(pos);
        int min;
        int max;
        if (c == '?') {
            min = 0;
            max = 1;
            pos++;
        } else if (c == '*') {
            min = 0;
            max = Integer.MAX_VALUE;
            pos++;
        } else if (c == '+') {
            min = 1;
            max = Integer.MAX_VALUE;
            pos++;
        } else if (c == '{') {
            int close = re.indexOf('}', pos);
            String body = re.substring(pos + 1, close);
            int comma = body.indexOf(',');
            min = Integer.parseInt((comma < 0 ? body : body.substring(0, comma)).trim());
            max = comma < 0 ? min : body.substring(comma + 1).isBlank() ? Integer.MAX_VALUE
                    : Integer.parseInt(body.substring(comma + 1).trim());
            pos = close + 1;
        } else {
            return atom;
        }
        if (pos < re.length() && (re.charAt(pos) == '?' || re.charAt(pos) == '+')) pos++; // lazy or possessive
        if (min == 1 && max == 1) return atom;
        if (min == 0) {
            if (max == 1 && atom.exact() != null) {
                Set<String> exact = new LinkedHashSet<>(atom.exact());
                exact.add("");
                return new Info(exact, List.of());
            }
            return ANY;
        }
        List<Set<String>> clauses = new ArrayList<>(atom.clauses());
        if (atom.exact() != null && !atom.exact().contains("") && clauses.isEmpty()) clauses.add(minimal(atom.exact()));
        return new Info(null, clauses);
    }

    private Info atom() {
        char c = re.charAt(pos++);
        switch (c) {
            case '(' -> {
                return group();
            }
            case '[' -> {
                return charClass();
            }
            case '\\' -> {
                return escape();
            }
            case '.' -> {
                return ANY;
            }
            case '^', '$' -> {
                return EMPTY;
            }
            case '*', '+', '?', '{' -> throw new Unsupported("dangling quantifier");
            default -> {
                return literal(String.valueOf(c));
            }
        }
    }

    private static Info literal(String s) {
        return new Info(Set.of(s), List.of(Set.of(s)));
    }

    private Info group() {
        boolean zeroWidth = false;
        if (re.startsWith("?", pos)) {
            if (re.startsWith("?:", pos) || re.startsWith("?>", pos)) {
                pos += 2;
            } else if (re.startsWith("?=", pos) || re.startsWith("?!", pos)) {
                pos += 2;
                zeroWidth = true;
            } else if (re.startsWith("?<=", pos) || re.startsWith("?<!", pos)) {
                pos += 3;
                zeroWidth = true;
            } else if (re.startsWith("?<", pos)) {
                pos = re.indexOf('>', pos) + 1;
            } else {
                // inline flags: only those that do not change what a literal matches are understood
                int end = pos + 1;
                while (end < re.length() && "dms-".indexOf(re.charAt(end)) >= 0) end++;
                if (end >= re.length() || (re.charAt(end) != ')' && re.charAt(end) != ':')) {
                    throw new Unsupported("inline flags");
                }
                boolean alone = re.charAt(end) == ')';
                pos = end + 1;
                if (alone) return EMPTY;
            }
        }
        Info inner = alternation();
        if (pos >= re.length() || re.charAt(pos) != ')') throw new Unsupported("unclosed group");
        pos++;
        return zeroWidth ? EMPTY : inner;
    }

    private Info escape() {
        char c = re.charAt(pos++);
        switch (c) {
            case 'd', 'D', 'w', 'W', 's', 'S', 'h', 'H', 'v', 'V', 'R', 'X' -> {
                return ANY;
            }
            case 'p', 'P' -> {
                if (re.charAt(pos) == '{') pos = re.indexOf('}', pos) + 1;
                else pos++;
                return ANY;
            }
            case 'b', 'B' -> {
                if (pos < re.length() && re.charAt(pos) == '{') throw new Unsupported("\\b{");
                return EMPTY;
            }
            case 'A', 'G', 'z', 'Z' -> {
                return EMPTY;
            }
            case 'k' -> {
                pos = re.indexOf('>', pos) + 1;
                return ANY;
            }
            case 'Q' -> {
                int end = re.indexOf("\\E", pos);
                String quoted = end < 0 ? re.substring(pos) : re.substring(pos, end);
                pos = end < 0 ? re.length() : end + 2;
                return quoted.isEmpty() ? EMPTY : literal(quoted);
            }
            default -> {
                if (c >= '1' && c <= '9') {
                    while (pos < re.length() && Character.isDigit(re.charAt(pos))) pos++;
                    return ANY; // back reference
                }
                return literal(String.valueOf(escapedChar(c)));
            }
        }
    }

    /** The character an escape stands for, after its first letter (already consumed). */
    private char escapedChar(char c) {
        switch (c) {
            case 't' -> {
                return '\t';
            }
            case 'n' -> {
                return '\n';
            }
            case 'r' -> {
                return '\r';
            }
            case 'f' -> {
                return '\f';
            }
            case 'a' -> {
                return '\u0007';
            }
            case 'e' -> {
                return '\u001b';
            }
            case 'x' -> {
                if (re.charAt(pos) == '{') {
                    int end = re.indexOf('}', pos);
                    int cp = Integer.parseInt(re.substring(pos + 1, end), 16);
                    pos = end + 1;
                    if (cp > 0xffff) throw new Unsupported("supplementary");
                    return (char) cp;
                }
                char v = (char) Integer.parseInt(re.substring(pos, pos + 2), 16);
                pos += 2;
                return v;
            }
            case 'u' -> {
                char v = (char) Integer.parseInt(re.substring(pos, pos + 4), 16);
                pos += 4;
                return v;
            }
            case '0' -> {
                int v = 0;
                int digits = 0;
                while (pos < re.length() && digits < 3 && re.charAt(pos) >= '0' && re.charAt(pos) <= '7'
                        && v * 8 + (re.charAt(pos) - '0') <= 0377) {
                    v = v * 8 + (re.charAt(pos++) - '0');
                    digits++;
                }
                if (digits == 0) throw new Unsupported("\\0");
                return (char) v;
            }
            case 'c' -> {
                return (char) (re.charAt(pos++) ^ 64);
            }
            default -> {
                if (Character.isLetterOrDigit(c)) throw new Unsupported("escape \\" + c);
                return c;
            }
        }
    }

    /** A bracket class: its characters when it lists a few plain ones, otherwise unknown. */
    private Info charClass() {
        Set<String> chars = new LinkedHashSet<>();
        boolean known = true;
        if (re.charAt(pos) == '^') {
            known = false;
            pos++;
        }
        if (re.charAt(pos) == ']') throw new Unsupported("[]");
        while (true) {
            char c = re.charAt(pos++);
            if (c == ']') break;
            if (c == '[') {
                charClass();
                known = false;
                continue;
            }
            if (c == '&' && re.charAt(pos) == '&') {
                pos++;
                known = false;
                continue;
            }
            char from;
            if (c == '\\') {
                char e = re.charAt(pos);
                if ("dDwWsShHvVpPR".indexOf(e) >= 0) {
                    pos++;
                    if ((e == 'p' || e == 'P')) {
                        if (re.charAt(pos) == '{') pos = re.indexOf('}', pos) + 1;
                        else pos++;
                    }
                    known = false;
                    continue;
                }
                if (e == 'Q') throw new Unsupported("\\Q in class");
                pos++;
                from = escapedChar(e);
            } else {
                from = c;
            }
            if (re.charAt(pos) == '-' && re.charAt(pos + 1) != ']') {
                pos++;
                char t = re.charAt(pos++);
                char to;
                if (t == '\\') {
                    to = escapedChar(re.charAt(pos++));
                } else if (t == '[') {
                    throw new Unsupported("range to class");
                } else {
                    to = t;
                }
                if (to < from) throw new Unsupported("reversed range");
                if (to - from > 16) known = false;
                else for (char x = from; x <= to; x++) chars.add(String.valueOf(x));
            } else {
                chars.add(String.valueOf(from));
            }
        }
        if (!known || chars.isEmpty() || chars.size() > 16) return ANY;
        return new Info(chars, List.of(chars));
    }

    /** Drops literals that contain another literal of the same clause: the shorter one is found anyway. */
    private static Set<String> minimal(Set<String> strings) {
        List<String> sorted = new ArrayList<>(strings);
        sorted.sort(Comparator.comparingInt(String::length));
        Set<String> out = new LinkedHashSet<>();
        for (String s : sorted) {
            boolean covered = false;
            for (String kept : out) {
                if (s.contains(kept)) {
                    covered = true;
                    break;
                }
            }
            if (!covered) out.add(s);
        }
        return out;
    }

    /** The most selective clauses: longest shortest literal first, then fewest literals. */
    private static List<Set<String>> best(List<Set<String>> clauses, int limit) {
        List<Set<String>> sorted = new ArrayList<>(new LinkedHashSet<>(clauses));
        sorted.sort(Comparator.comparingInt((Set<String> c) -> -Math.min(4, shortest(c))).thenComparingInt(Set::size));
        return sorted.size() <= limit ? sorted : List.copyOf(sorted.subList(0, limit));
    }

    private static int shortest(Set<String> clause) {
        int m = Integer.MAX_VALUE;
        for (String s : clause) m = Math.min(m, s.length());
        return m;
    }
}
