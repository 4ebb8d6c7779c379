package io.requestflow.firewall.waf.sqli;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Decides whether a value is SQL injection by the shape of its token stream ({@link SqlTokenizer}),
 * not by keywords: a value is an attack when, read from the start, from inside a single-quoted or
 * from inside a double-quoted string, it breaks out and continues as SQL. Prose that merely contains
 * SQL words ("select the size from the list") does not have these shapes.
 */
public final class SqliDetector {
    private static final int TOKENS = 10;

    /** Shapes that only make sense as SQL; each line is one idea. */
    private static final List<Pattern> STRICT = List.of(
            // leave a string or number, then a boolean test: ' or 1=1 / 1 and 'a'='a / ') or ('x'='x
            Pattern.compile("^[s1v]\\)*&\\(*[s1nvf]\\)*o\\(*[s1nvf]"),
            // ... or a tautology ended by a comment or a statement end: ' or true--
            Pattern.compile("^[s1v]\\)*&\\(*[1svn]\\)*[c;]"),
            // ... or a function call: ' and sleep(5) / 1 or benchmark(...) / '+sleep(5)+'
            Pattern.compile("^[s1v]\\)*[&oa]\\(*f\\("),
            // a string closed and compared: 1' = '1 / '='
            Pattern.compile("^s\\)*o\\(*[s1v]\\)*([&oac;)]|$)"),
            Pattern.compile("^s\\)*[oa]+\\(*[s1vn]\\)*[a]*[s1vn]?c"),
            // closed string then a comment: admin'-- / admin'#
            Pattern.compile("^s\\)*c"),
            // union [all|distinct] select anywhere
            Pattern.compile("U[k1]?\\(*E"),
            // stacked statements: '; drop table / 1; shutdown
            Pattern.compile("^[s1]\\)*;\\(*E"),
            Pattern.compile(";E[kvof(1s]"),
            // leave a string or number, then a clause: ' order by 1 / 1 having 1=1 / ' into outfile
            Pattern.compile("^[s1]\\)*B[k1(]"),
            // leave a string, then a statement keyword: ' select
            Pattern.compile("^s\\)*;?E[^&]"),
            // a string broken out of a subquery: ') or ('
            Pattern.compile("^s\\)+&\\("),
            // an executable comment /*!...*/ next to SQL
            Pattern.compile("c[EUkf&]"),
            // a fragment that starts with a boolean operator: and 1=1 / or x = 'y / || (a !=
            Pattern.compile("^[no]?&\\(*[1snv]\\)*o"),
            Pattern.compile("^s&\\(*[1snv]\\)*x"),
            // a boolean operator followed by a subquery: ' and (select
            Pattern.compile("^[s1]\\)*&\\(+E"),
            // a comparison followed by a subquery: = (select
            Pattern.compile("o\\(+E"),
            // a value closed by a paren and chained: 1) and (1=1 / ') or ('
            Pattern.compile("^[1s]\\)+[&;U]"));

    /** Looser shapes that prose can also take: paranoia level 2 and up. */
    private static final List<Pattern> LOOSE = List.of(
            // a statement that reads like a query: select ... from x / select @@version / select 1,2
            Pattern.compile("^\\(*E[^E]*?(k\\(*[nf]|v|1,1)"),
            // a tautology on its own: 1 or 1 / ' or 'x
            Pattern.compile("^[s1v]\\)*&\\(*[1sv]\\)*$"),
            // a value ending in a line comment after SQL-ish tokens
            Pattern.compile("[&oE1]c$"),
            Pattern.compile("^[s1]\\)*;"));

    private static final Shapes STRICT_ANY = new Shapes(STRICT);
    private static final Shapes LOOSE_ANY = new Shapes(LOOSE);
    /** Characters at least one of which every shape needs, except "union select" and "1 order by". */
    private static final String SIGNIFICANT = "'\"`;#-=<>!()@/*|&+%^~:";
    private static final boolean[] IS_SIGNIFICANT = new boolean[128];
    /** The same as masks: bit c of the low word, bit c - 64 of the high word. */
    private static final long SIGNIFICANT_LO;
    private static final long SIGNIFICANT_HI;

    static {
        long lo = 0;
        long hi = 0;
        for (char c : SIGNIFICANT.toCharArray()) {
            IS_SIGNIFICANT[c] = true;
            if (c < 64) lo |= 1L << c;
            else hi |= 1L << (c - 64);
        }
        SIGNIFICANT_LO = lo;
        SIGNIFICANT_HI = hi;
    }

    private SqliDetector() {}

    /**
     * A list of shapes asked "does any of them occur in this fingerprint": the shapes anchored at the
     * start ({@code ^...}) are tried once, as one alternation at position 0, and only the others are
     * searched for along the fingerprint (one alternation of them all would try every shape at every position).
     */
    private static final class Shapes {
        private final Pattern anchored;
        private final Pattern floating;
        /** The characters the anchored shapes can start with (a fingerprint starting otherwise has none of them). */
        private final io.requestflow.firewall.waf.rules.FirstChars anchoredStart;
        /** The characters the other shapes can start with: a fingerprint with none of them has none of them. */
        private final io.requestflow.firewall.waf.rules.FirstChars floatingStart;

        Shapes(List<Pattern> shapes) {
            List<String> atStart = new ArrayList<>();
            List<String> anywhere = new ArrayList<>();
            for (Pattern p : shapes) {
                String re = p.pattern();
                if (re.startsWith("^") && !topLevelBar(re)) atStart.add("(?:" + re.substring(1) + ")");
                else anywhere.add("(?:" + re + ")");
            }
            anchored = atStart.isEmpty() ? null : Pattern.compile(String.join("|", atStart));
            floating = anywhere.isEmpty() ? null : Pattern.compile(String.join("|", anywhere));
            anchoredStart = anchored == null ? null : io.requestflow.firewall.waf.rules.FirstChars.of(anchored.pattern());
            floatingStart = floating == null ? null : io.requestflow.firewall.waf.rules.FirstChars.of(floating.pattern());
        }

        /** A '|' outside groups and classes: "^a|b" anchors only its first alternative. */
        private static boolean topLevelBar(String re) {
            int depth = 0;
            boolean inClass = false;
            for (int i = 0; i < re.length(); i++) {
                char c = re.charAt(i);
                if (c == '\\') i++;
                else if (inClass) inClass = c != ']';
                else if (c == '[') inClass = true;
                else if (c == '(') depth++;
                else if (c == ')') depth--;
                else if (c == '|' && depth == 0) return true;
            }
            return false;
        }

        boolean occursIn(String fingerprint) {
            return (anchored != null
                    && (anchoredStart == null // else not empty-matching: its first character must fit
                        || (!fingerprint.isEmpty() && anchoredStart.mayStartWith(fingerprint.charAt(0))))
                    && anchored.matcher(fingerprint).lookingAt())
                    || (floating != null && mayStart(floatingStart, fingerprint) && floating.matcher(fingerprint).find());
        }

        private static boolean mayStart(io.requestflow.firewall.waf.rules.FirstChars start, String fingerprint) {
            if (start == null) return true;
            for (int i = 0; i < fingerprint.length(); i++) if (start.mayStartWith(fingerprint.charAt(i))) return true;
            return false;
        }
    }

    /** Cheap necessary condition: without these, no shape can match. */
    private static boolean worthTokenizing(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 128 && IS_SIGNIFICANT[c]) return true;
        }
        return v.contains("union") || (!v.isEmpty() && Character.isDigit(v.charAt(0)));
    }

    /** The fingerprint that looks like SQL injection at this strictness, or null if none does. */
    public static String detect(String value, boolean loose) {
        if (value.length() < 2 || !worthTokenizing(value)) return null;
        return tokenized(value, loose);
    }

    /**
     * As {@link #detect(String, boolean)}, told which characters {@code value} holds (its ASCII characters as
     * masks, bit c of {@code lo} and bit c - 64 of {@code hi}, and whether it has others), so that a value without
     * a significant character needs no pass of its own, and one that is a single number token (a session id that
     * starts with a digit, a price) is read as the fingerprint "1" without tokenizing: a leading ASCII digit
     * followed only by digits and dots, or only by ASCII letters, digits and '_' and not a 0x/0X/0b prefix, is
     * one token to {@link SqlTokenizer} (its number, exponent and trailing word characters), outside any string
     * since there is no quote.
     */
    public static String detect(String value, boolean loose, long lo, long hi, boolean nonAscii) {
        if (value.length() < 2) return null;
        if ((lo & SIGNIFICANT_LO) == 0 && (hi & SIGNIFICANT_HI) == 0
                && ((hi & 1L << ('u' - 64)) == 0 || !value.contains("union"))) {
            if (!Character.isDigit(value.charAt(0))) return null; // not worth tokenizing
            if (!nonAscii && oneNumber(value, lo, hi)) {
                if ((ONE_NUMBER & STRICT_SHAPE) != 0) return "1";
                return loose && (ONE_NUMBER & LOOSE_SHAPE) != 0 ? "1" : null;
            }
        }
        return tokenized(value, loose);
    }

    private static final long DIGITS = ((1L << 10) - 1) << '0';
    private static final long WORD_LO = DIGITS;
    private static final long WORD_HI = ((1L << 26) - 1) << ('A' - 64) | ((1L << 26) - 1) << ('a' - 64) | 1L << ('_' - 64);

    /** An ASCII value whose fingerprint is the one number token "1" (see {@link #detect(String, boolean, long, long, boolean)}). */
    private static boolean oneNumber(String value, long lo, long hi) {
        char first = value.charAt(0);
        if (first < '0' || first > '9') return false;
        if (hi == 0 && (lo & ~(DIGITS | 1L << '.')) == 0) return true;
        return (lo & ~WORD_LO) == 0 && (hi & ~WORD_HI) == 0
                && !(first == '0' && (value.charAt(1) == 'x' || value.charAt(1) == 'X' || value.charAt(1) == 'b'));
    }

    /** The shapes of the fingerprint "1". */
    private static final int ONE_NUMBER;

    private static String tokenized(String value, boolean loose) {
        for (String fp : SqlTokenizer.contexts(value, TOKENS)) {
            int shapes = VERDICTS.of(fp);
            if ((shapes & STRICT_SHAPE) != 0) return fp;
            if (loose && (shapes & LOOSE_SHAPE) != 0) return fp;
        }
        return null;
    }

    private static final int STRICT_SHAPE = 1;
    private static final int LOOSE_SHAPE = 2;
    private static final Verdicts VERDICTS = new Verdicts(1024);

    static {
        ONE_NUMBER = shapesOf("1");
    }

    /**
     * Which shapes each fingerprint has, remembered: the answer depends on the fingerprint alone, and benign
     * values come in few fingerprints ("1", "n", "nn", "1n", "s"), while matching the shapes' regexes cost as
     * much as tokenizing. Bounded: a fixed table, a fingerprint replacing whatever shared its slot; an entry is
     * immutable, so threads share the table without locks (a race only computes an answer twice).
     */
    static final class Verdicts {
        private record Entry(String fingerprint, int shapes) {}

        private final Entry[] slots;

        Verdicts(int size) {
            slots = new Entry[Integer.highestOneBit(size)];
        }

        int of(String fingerprint) {
            int slot = fingerprint.hashCode() & (slots.length - 1);
            Entry e = slots[slot];
            if (e != null && e.fingerprint.equals(fingerprint)) return e.shapes;
            int shapes = shapesOf(fingerprint);
            slots[slot] = new Entry(fingerprint, shapes);
            return shapes;
        }
    }

    /** The shapes in a fingerprint, matched afresh (what {@link Verdicts} remembers). */
    static int shapesOf(String fingerprint) {
        return (STRICT_ANY.occursIn(fingerprint) ? STRICT_SHAPE : 0) | (LOOSE_ANY.occursIn(fingerprint) ? LOOSE_SHAPE : 0);
    }
}
