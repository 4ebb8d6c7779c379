package io.requestflow.firewall.waf.rules;

import io.requestflow.firewall.waf.Match;
import io.requestflow.firewall.waf.Severity;
import io.requestflow.firewall.waf.Target;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rule that is one regular expression over the normalised value of some kinds of targets,
 * optionally after a rule-specific transform (the shell's view, SQL comments removed, ...).
 */
public record PatternRule(String id, int paranoia, Severity severity, Pattern pattern, Set<Target.Kind> where,
                          UnaryOperator<String> transform, Predicate<String> gate, long[] chars, boolean anchored) {

    public static final Set<Target.Kind> ARGS = EnumSet.of(Target.Kind.ARG, Target.Kind.ARG_NAME, Target.Kind.COOKIE,
            Target.Kind.COOKIE_NAME, Target.Kind.BODY);
    /** Arguments, names, cookies, free-text headers and the decoded path (CRS's REQUEST_FILENAME). */
    public static final Set<Target.Kind> ARGS_AND_HEADERS = EnumSet.of(Target.Kind.ARG, Target.Kind.ARG_NAME,
            Target.Kind.COOKIE, Target.Kind.COOKIE_NAME, Target.Kind.BODY, Target.Kind.HEADER, Target.Kind.PATH);
    public static final Set<Target.Kind> ARGS_AND_PATH = EnumSet.of(Target.Kind.ARG, Target.Kind.ARG_NAME,
            Target.Kind.COOKIE, Target.Kind.COOKIE_NAME, Target.Kind.BODY, Target.Kind.PATH);
    public static final Set<Target.Kind> EVERYWHERE = EnumSet.allOf(Target.Kind.class);

    public static PatternRule of(String id, int paranoia, Severity severity, String regex, Set<Target.Kind> where) {
        return new PatternRule(id, paranoia, severity, Pattern.compile(regex), where, null, null, null, false);
    }

    public static PatternRule of(String id, int paranoia, Severity severity, String regex, Set<Target.Kind> where,
                                 UnaryOperator<String> transform) {
        return new PatternRule(id, paranoia, severity, Pattern.compile(regex), where, transform, null, null, false);
    }

    /**
     * The same rule, run only on values that pass {@code cheapTest}: a necessary condition for the
     * pattern (a character or literal it cannot match without), so most values skip the regex.
     */
    public PatternRule when(Predicate<String> cheapTest) {
        if (cheapTest instanceof CharGate g) {
            return new PatternRule(id, paranoia, severity, pattern, where, transform, gate, Target.maskOf(g.chars()),
                    anchored);
        }
        return new PatternRule(id, paranoia, severity, pattern, where, transform, cheapTest, chars, anchored);
    }

    /** The same rule matched only at the start of the value (its regex must not begin with ^). */
    public PatternRule atStart() {
        return new PatternRule(id, paranoia, severity, pattern, where, transform, gate, chars, true);
    }

    /** A gate on characters, answered from the target's character mask without scanning again. */
    public record CharGate(String chars) implements Predicate<String> {
        @Override
        public boolean test(String v) {
            for (int i = 0; i < v.length(); i++) if (chars.indexOf(v.charAt(i)) >= 0) return true;
            return false;
        }
    }

    /** The value contains at least one of these (ASCII) characters. */
    public static Predicate<String> anyChar(String chars) {
        return new CharGate(chars);
    }

    /** The value contains at least one of these literals. */
    public static Predicate<String> anyOf(String... literals) {
        return new LiteralGate(List.of(literals));
    }

    /** A gate on literals: the value contains at least one of them (its literals are read by {@code UriPieces}). */
    public record LiteralGate(List<String> literals) implements Predicate<String> {
        @Override
        public boolean test(String v) {
            for (String l : literals) if (v.contains(l)) return true;
            return false;
        }
    }

    /** The match on this target, or null. */
    public Match test(Target target) {
        if (!applies(target)) return null;
        return match(target, target.view(transform));
    }

    /** The cheap checks that need no view: the kind of target and the characters its value must contain. */
    boolean applies(Target target) {
        return where.contains(target.kind()) && (chars == null || target.containsAny(chars[0], chars[1]));
    }

    /** The gate and the regex on {@code value}, this rule's view of the target. */
    Match match(Target target, String value) {
        return match(target, value, null);
    }

    /**
     * As {@link #match(Target, String)}, the regex tried only at positions holding one of the
     * characters its matches start with ({@code first}; null: every position), which finds the same match.
     */
    Match match(Target target, String value, FirstChars first) {
        if (gate != null && !gate.test(value)) return null;
        Matcher m = pattern.matcher(value);
        if (anchored ? !m.lookingAt() : first == null ? !m.find() : !first.find(m, value)) return null;
        return new Match(id, severity, target.location(), excerpt(value, m.start(), m.end()));
    }

    /**
     * As {@link #match} with the regex replaced by {@code n} of its top-level alternatives, in their
     * order (the others cannot match this value): the leftmost start wins, and at equal starts the
     * earlier alternative, which is the match the whole alternation returns.
     */
    Match matchFirst(Target target, String value, Pattern[] alternatives, int n) {
        return matchFirst(target, value, alternatives, new FirstChars[n], n);
    }

    /** As {@link #matchFirst(Target, String, Pattern[], int)}, each alternative tried where it can start. */
    Match matchFirst(Target target, String value, Pattern[] alternatives, FirstChars[] firsts, int n) {
        if (gate != null && !gate.test(value)) return null;
        int bestStart = Integer.MAX_VALUE;
        int bestEnd = -1;
        for (int i = 0; i < n; i++) {
            Matcher m = alternatives[i].matcher(value);
            if (anchored) {
                if (m.lookingAt()) {
                    bestStart = m.start();
                    bestEnd = m.end();
                    break;
                }
            } else if ((firsts[i] == null ? m.find() : firsts[i].find(m, value)) && m.start() < bestStart) {
                bestStart = m.start();
                bestEnd = m.end();
                if (bestStart == 0) break;
            }
        }
        if (bestEnd < 0) return null;
        return new Match(id, severity, target.location(), excerpt(value, bestStart, bestEnd));
    }

    static String excerpt(String value, int start, int end) {
        String s = value.substring(start, Math.min(end, start + 80));
        return s.replaceAll("[\\p{Cntrl}]", "?");
    }
}
