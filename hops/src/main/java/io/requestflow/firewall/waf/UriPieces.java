package io.requestflow.firewall.waf;

import io.requestflow.firewall.waf.normalize.Normalizer;
import io.requestflow.firewall.waf.rules.PatternFamily;
import io.requestflow.firewall.waf.rules.PatternRule;
import io.requestflow.firewall.waf.rules.Triggered;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The request target inspected as its pieces (the part before {@code ?}, then each {@code &}-separated piece
 * of the query), so the clean-value memo can remember the pieces: a shop's targets are new combinations of the
 * same few pieces ({@code q=mug}, {@code page=2}, {@code sort=price}), so whole they were new on nearly every
 * request, and their inspection was a fifth of the WAF's work. Exact, not an approximation: the verdict is the
 * whole target's, because
 * <ul>
 *   <li>a target is split only where normalising it ({@link Normalizer#normalize}) gives its pieces' normal forms
 *       joined by the same separators: no fragment, and no separator {@code &} that could start an HTML entity
 *       once decoded (every other step of normalising reads no further than an escape or an entity, neither of
 *       which holds a separator, and the separators compose with nothing in NFKC);</li>
 *   <li>the rules that read targets are of two sorts, told apart from their regexes here: those that can match
 *       neither separator and look at nothing around a match (no anchors, lookaround or back references) find a
 *       match in the whole exactly where they find one in a piece; each other rule needs characters or literals
 *       (its gate) that hold no separator, and a piece is inspected or remembered as a piece only while it has
 *       none of them, so such a rule cannot match the whole either. A target with a piece that has one is
 *       inspected whole, as before.</li>
 * </ul>
 * If a rule that reads targets is of neither sort (a new rule with no gate, say), targets are never split.
 */
public final class UriPieces {
    /** The characters any gate of a rule of the second sort needs (ASCII bit masks), and its literals. */
    private final long gateLo;
    private final long gateHi;
    private final List<String> gateLiterals;

    private UriPieces(long gateLo, long gateHi, List<String> gateLiterals) {
        this.gateLo = gateLo;
        this.gateHi = gateHi;
        this.gateLiterals = gateLiterals;
    }

    /** The pieces policy for these families' rules, or null when some rule that reads targets forbids splitting. */
    public static UriPieces of(List<? extends RuleFamily> families) {
        long lo = 0;
        long hi = 0;
        Set<String> literals = new LinkedHashSet<>();
        for (RuleFamily f : families) {
            if (!(f instanceof PatternFamily p)) continue;
            for (PatternRule r : p.rules()) {
                if (!r.where().contains(Target.Kind.URI)) continue;
                if (r.transform() == null && !r.anchored() && keepsToAPiece(r.pattern())) continue;
                // the second sort: its gate must hold no separator, and its view must leave values without the
                // gate's literals as they are
                if (r.chars() != null) {
                    long[] separators = Target.maskOf("&?");
                    if ((r.chars()[0] & separators[0]) != 0 || (r.chars()[1] & separators[1]) != 0) return null;
                    if (r.transform() != null) return null;
                    lo |= r.chars()[0];
                    hi |= r.chars()[1];
                } else if (r.gate() instanceof PatternRule.LiteralGate g) {
                    for (String l : g.literals()) if (l.indexOf('&') >= 0 || l.indexOf('?') >= 0) return null;
                    if (r.transform() != null && !(triggered(r.transform()) instanceof Triggered t
                            && g.literals().contains(t.trigger()))) {
                        return null;
                    }
                    literals.addAll(g.literals());
                } else {
                    return null;
                }
            }
        }
        return new UriPieces(lo, hi, List.copyOf(literals));
    }

    /**
     * The target's pieces, or null when it is inspected whole: it has no query, a fragment, or a separator
     * that could begin an entity once decoded ({@code &lt;}, {@code &#60;}, or a {@code %} close after it).
     */
    public static List<String> split(String uri) {
        int[] bounds = bounds(uri);
        if (bounds == null) return null;
        List<String> pieces = new ArrayList<>(bounds[0]);
        for (int k = 0; k < bounds[0]; k++) pieces.add(uri.substring(bounds[2 * k + 1], bounds[2 * k + 2]));
        return pieces;
    }

    /**
     * {@link #split} as where the pieces lie, so remembered ones need no string: the count of pieces n, then each
     * piece's start and end, {@code {n, start0, end0, start1, end1, ...}}; null when the target is inspected whole.
     */
    static int[] bounds(String uri) {
        int q = uri.indexOf('?');
        if (q < 0 || uri.indexOf('#') >= 0) return null;
        int[] bounds = new int[1 + 2 * 8];
        int n = 0;
        bounds[++n] = 0;
        bounds[++n] = q;
        int start = q + 1;
        for (int i = start; i <= uri.length(); i++) {
            if (i < uri.length() && uri.charAt(i) != '&') continue;
            if (i < uri.length() && !plainSeparator(uri, i)) return null;
            if (n + 2 >= bounds.length) bounds = Arrays.copyOf(bounds, bounds.length * 2);
            bounds[++n] = start;
            bounds[++n] = i;
            start = i + 1;
        }
        bounds[0] = n / 2;
        return bounds;
    }

    /** The view a quiet view wraps (a Triggered one is told apart by its trigger), else the view itself. */
    private static java.util.function.UnaryOperator<String> triggered(java.util.function.UnaryOperator<String> view) {
        return view instanceof QuietView q ? q.view() : view;
    }

    /**
     * The {@code &} at {@code i} stays a separator once the target is decoded: no entity starts there. An entity
     * is read from the letters after the {@code &} (at most 10, or a {@code #}); decoding changes only escapes, so
     * when no escape begins before those letters end, the decoded text reads the same there.
     */
    private static boolean plainSeparator(String uri, int i) {
        int j = i + 1;
        while (j < uri.length() && j - i - 1 < ENTITY_LETTERS && Character.isLetter(uri.charAt(j))) j++;
        if (j < uri.length() && j - i - 1 < ENTITY_LETTERS && uri.charAt(j) == '%') return false;
        return !Normalizer.entityStartsAt(uri, i);
    }

    /** The most letters {@link Normalizer} reads for an entity's name. */
    private static final int ENTITY_LETTERS = 10;

    /**
     * True if a piece (its normalised value) has none of what the second sort's gates need: only then is it
     * inspected, or remembered clean, as a piece.
     */
    boolean gateFree(Target piece) {
        if (piece.containsAny(gateLo, gateHi)) return false;
        String v = piece.value();
        for (String l : gateLiterals) if (v.contains(l)) return false;
        return true;
    }

    /**
     * The regex can match neither {@code &} nor {@code ?} and reads nothing around its match: only literal
     * characters, escaped punctuation, {@code \d \s \w \b}, classes of such characters (not negated), groups,
     * alternation and quantifiers. Anything else answers false, which only costs the split.
     */
    public static boolean keepsToAPiece(Pattern pattern) {
        if ((pattern.flags() & (Pattern.COMMENTS | Pattern.LITERAL)) != 0) return false;
        String p = pattern.pattern();
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            switch (c) {
                case '\\' -> {
                    if (++i >= p.length() || !safeEscape(p.charAt(i), false)) return false;
                }
                case '[' -> {
                    i = safeClass(p, i);
                    if (i < 0) return false;
                }
                case '(' -> {
                    if (i + 1 < p.length() && p.charAt(i + 1) == '?') {
                        // only a non-capturing group or inline flags; lookaround, named and atomic groups are not read
                        int j = i + 2;
                        while (j < p.length() && Character.isLetter(p.charAt(j)) || j < p.length() && p.charAt(j) == '-') j++;
                        if (j >= p.length() || p.charAt(j) != ':' && p.charAt(j) != ')') return false;
                        i = j;
                    }
                }
                case '.', '^', '$', '&' -> {
                    return false;
                }
                default -> { }
            }
        }
        return true;
    }

    /** An escape {@code \c} that matches neither separator and is not an anchor (inside a class: \b is not allowed). */
    private static boolean safeEscape(char c, boolean inClass) {
        if (c == 'd' || c == 's' || c == 'w') return true;
        if (c == 'b') return !inClass;
        return !Character.isLetterOrDigit(c) && c != '&' && c != '?';
    }

    /** The index of the class's closing bracket when the class can match neither separator, else -1. */
    private static int safeClass(String p, int open) {
        int i = open + 1;
        if (i < p.length() && p.charAt(i) == '^') return -1;
        int previous = -1;
        for (boolean first = true; i < p.length(); i++, first = false) {
            char c = p.charAt(i);
            if (c == ']' && !first) return i;
            if (c == '[' || c == '&' || c == '?') return -1;
            if (c == '\\') {
                if (++i >= p.length() || !safeEscape(p.charAt(i), true)) return -1;
                char e = p.charAt(i);
                previous = e == 'd' || e == 's' || e == 'w' ? -1 : e;
            } else if (c == '-' && previous >= 0 && i + 1 < p.length() && p.charAt(i + 1) != ']') {
                char to = p.charAt(i + 1);
                if (to == '\\' || to == '[') return -1;
                if (previous <= '&' && to >= '&' || previous <= '?' && to >= '?') return -1;
                i++;
                previous = -1;
            } else {
                previous = c;
            }
        }
        return -1;
    }
}
