package io.requestflow.firewall.waf.rules;

import java.util.regex.Matcher;

/**
 * The characters a match of a regular expression can begin with, read from the expression: its
 * {@code find} then tries only the positions holding one of them, instead of every position of the
 * value (where {@code java.util.regex} walks a long alternation each time). Trying the positions in
 * order with the same matcher, bounds transparent and not anchoring, is what {@code find} does, so the
 * match is the same. Expressions that can match the empty string, that can start with most characters,
 * or whose syntax this reader does not model (inline flags, nested classes), get no set: they are
 * searched as before.
 */
public final class FirstChars {
    /** ASCII characters a match can start with: bit c of lo (c below 64), bit c - 64 of hi. */
    private final long lo;
    private final long hi;
    /** Whether a match can start with a character outside ASCII. */
    private final boolean wide;

    /** Larger sets are not worth it (\\w, negated classes, '.'). */
    private static final int MAX_CHARS = 32;

    private FirstChars(long lo, long hi, boolean wide) {
        this.lo = lo;
        this.hi = hi;
        this.wide = wide;
    }

    /** The set for {@code regex} (compiled without flags), or null when nothing useful can be said. */
    public static FirstChars of(String regex) {
        for (int i = 0; i < regex.length(); i++) {
            // supplementary characters change where java.util.regex may start (never inside a pair)
            if (Character.isSurrogate(regex.charAt(i))) return null;
        }
        try {
            Reader r = new Reader(regex);
            Set s = r.alternation();
            if (r.pos != regex.length() || s.nullable) return null;
            // most characters: few positions skipped, each remaining try costs a little more than find's own
            if (Long.bitCount(s.lo) + Long.bitCount(s.hi) > MAX_CHARS) return null;
            return new FirstChars(s.lo, s.hi, s.wide);
        } catch (Unsupported | IndexOutOfBoundsException | NumberFormatException e) {
            return null;
        }
    }

    /** Same as {@code m.find()} on a fresh matcher over {@code v}; afterwards start() and end() are the match's. */
    public boolean find(Matcher m, String v) {
        m.useTransparentBounds(true).useAnchoringBounds(false);
        int n = v.length();
        for (int i = 0; i < n; i++) {
            char c = v.charAt(i);
            boolean may = c < 64 ? (lo >>> c & 1) != 0 : c < 128 ? (hi >>> (c - 64) & 1) != 0 : wide;
            if (!may) continue;
            m.region(i, n);
            if (m.lookingAt()) return true;
        }
        return false;
    }

    /** Whether a match can begin with {@code c} (for tests). */
    public boolean mayStartWith(char c) {
        return c < 64 ? (lo >>> c & 1) != 0 : c < 128 ? (hi >>> (c - 64) & 1) != 0 : wide;
    }

    private static final class Unsupported extends RuntimeException {
        Unsupported(String why) {
            super(why, null, false, false);
        }
    }

    /** First characters of a sub-expression and whether it can match without consuming any. */
    private record Set(long lo, long hi, boolean wide, boolean nullable) {
        static final Set EMPTY = new Set(0, 0, false, true);
        static final Set ALL = new Set(-1L, -1L, true, false);

        Set or(Set o) {
            return new Set(lo | o.lo, hi | o.hi, wide || o.wide, nullable || o.nullable);
        }

        /** This followed by {@code next}. */
        Set then(Set next) {
            if (!nullable) return this;
            return new Set(lo | next.lo, hi | next.hi, wide || next.wide, next.nullable);
        }

        Set optional() {
            return new Set(lo, hi, wide, true);
        }

        static Set of(char c) {
            if (c < 64) return new Set(1L << c, 0, false, false);
            if (c < 128) return new Set(0, 1L << (c - 64), false, false);
            return new Set(0, 0, true, false);
        }

        static Set range(char from, char to) {
            long l = 0;
            long h = 0;
            boolean w = to >= 128;
            for (int c = from; c <= Math.min(to, 127); c++) {
                if (c < 64) l |= 1L << c;
                else h |= 1L << (c - 64);
            }
            return new Set(l, h, w, false);
        }

        /** Every character not in this one (a negated class). */
        Set complement() {
            return new Set(~lo, ~hi, true, false);
        }
    }

    private static final Set DIGIT = Set.range('0', '9');
    private static final Set WORD = Set.range('a', 'z').or(Set.range('A', 'Z')).or(DIGIT).or(Set.of('_'));
    /** {@code \s} without UNICODE_CHARACTER_CLASS: space, \t, \n, \x0B, \f, \r. */
    private static final Set SPACE = Set.of(' ').or(Set.range('\t', '\r'));
    /** {@code .} without DOTALL: anything but a line terminator. */
    private static final Set DOT = new Set(~((1L << '\n') | (1L << '\r')), -1L, true, false);

    /** A reader of the syntax the rules use, computing {@link Set}s. */
    private static final class Reader {
        private final String re;
        private int pos;

        Reader(String re) {
            this.re = re;
        }

        Set alternation() {
            Set s = sequence();
            while (pos < re.length() && re.charAt(pos) == '|') {
                pos++;
                s = s.or(sequence());
            }
            return s;
        }

        private Set sequence() {
            Set s = Set.EMPTY;
            while (pos < re.length() && re.charAt(pos) != '|' && re.charAt(pos) != ')') {
                s = s.then(quantified(atom()));
            }
            return s;
        }

        private Set quantified(Set atom) {
            if (pos >= re.length()) return atom;
            char c = re.charAt(pos);
            int min;
            if (c == '?' || c == '*') {
                min = 0;
                pos++;
            } else if (c == '+') {
                min = 1;
                pos++;
            } else if (c == '{') {
                int close = re.indexOf('}', pos);
                String body = re.substring(pos + 1, close);
                int comma = body.indexOf(',');
                min = Integer.parseInt((comma < 0 ? body : body.substring(0, comma)).trim());
                pos = close + 1;
            } else {
                return atom;
            }
            if (pos < re.length() && (re.charAt(pos) == '?' || re.charAt(pos) == '+')) pos++; // lazy, possessive
            return min == 0 ? atom.optional() : atom;
        }

        private Set atom() {
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
                    return DOT;
                }
                case '^', '$' -> {
                    return Set.EMPTY;
                }
                case '*', '+', '?', '{' -> throw new Unsupported("dangling quantifier");
                default -> {
                    return Set.of(c);
                }
            }
        }

        private Set group() {
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
                    throw new Unsupported("inline flags");
                }
            }
            Set inner = alternation();
            if (pos >= re.length() || re.charAt(pos) != ')') throw new Unsupported("unclosed group");
            pos++;
            // a look-around consumes nothing: it only narrows where a match may be, never widens it
            return zeroWidth ? Set.EMPTY : inner;
        }

        private Set escape() {
            char c = re.charAt(pos++);
            switch (c) {
                case 'd' -> {
                    return DIGIT;
                }
                case 'w' -> {
                    return WORD;
                }
                case 's' -> {
                    return SPACE;
                }
                case 'D' -> {
                    return DIGIT.complement();
                }
                case 'W' -> {
                    return WORD.complement();
                }
                case 'S' -> {
                    return SPACE.complement();
                }
                case 'b', 'B' -> {
                    if (pos < re.length() && re.charAt(pos) == '{') throw new Unsupported("\\b{");
                    return Set.EMPTY;
                }
                case 'A', 'z', 'Z' -> {
                    return Set.EMPTY;
                }
                default -> {
                    if (c >= '1' && c <= '9') {
                        // a back reference may repeat an empty group: anything, possibly nothing
                        while (pos < re.length() && Character.isDigit(re.charAt(pos))) pos++;
                        return new Set(-1L, -1L, true, true);
                    }
                    return Set.of(escapedChar(c));
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
                    if (re.charAt(pos) == '{') throw new Unsupported("\\x{");
                    char v = (char) Integer.parseInt(re.substring(pos, pos + 2), 16);
                    pos += 2;
                    return v;
                }
                case 'u' -> {
                    char v = (char) Integer.parseInt(re.substring(pos, pos + 4), 16);
                    pos += 4;
                    return v;
                }
                default -> {
                    if (Character.isLetterOrDigit(c)) throw new Unsupported("escape \\" + c);
                    return c;
                }
            }
        }

        /** A bracket class; nested classes and intersections are not modelled. */
        private Set charClass() {
            boolean negated = false;
            if (re.charAt(pos) == '^') {
                negated = true;
                pos++;
            }
            if (re.charAt(pos) == ']') throw new Unsupported("[]");
            Set s = new Set(0, 0, false, false);
            while (true) {
                char c = re.charAt(pos++);
                if (c == ']') break;
                if (c == '[' || (c == '&' && re.charAt(pos) == '&')) throw new Unsupported("nested class");
                char from;
                if (c == '\\') {
                    char e = re.charAt(pos++);
                    switch (e) {
                        case 'd' -> s = s.or(DIGIT);
                        case 'w' -> s = s.or(WORD);
                        case 's' -> s = s.or(SPACE);
                        case 'D' -> s = s.or(DIGIT.complement());
                        case 'W' -> s = s.or(WORD.complement());
                        case 'S' -> s = s.or(SPACE.complement());
                        default -> {
                            if ("pPhHvVRQ".indexOf(e) >= 0) throw new Unsupported("class escape \\" + e);
                            from = escapedChar(e);
                            s = s.or(rangeFrom(from));
                        }
                    }
                    continue;
                }
                from = c;
                s = s.or(rangeFrom(from));
            }
            return negated ? s.complement() : s;
        }

        /** {@code from} alone, or the range {@code from-to} when a '-' and a bound follow. */
        private Set rangeFrom(char from) {
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
                return Set.range(from, to);
            }
            return Set.of(from);
        }
    }
}
