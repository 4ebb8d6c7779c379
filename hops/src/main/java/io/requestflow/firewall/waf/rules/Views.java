package io.requestflow.firewall.waf.rules;

/**
 * Rule views computed by one loop over the value instead of a regex replacement tried at every
 * position. Each returns {@code s} itself when nothing changes, so the literal scan of the value is
 * reused for the view. Each is exactly its regex's result (the regex is named in its comment;
 * ViewEquivalenceTest compares them over both corpora).
 */
public final class Views {
    private Views() {}

    /** JavaScript's view: {@code s.replaceAll("/\\*.*?\\*\/|\\s+", "")}, block comments and blanks removed. */
    public static String jsCode(String s) {
        return withoutCommentsAndBlanks(s, false);
    }

    /**
     * The length of a block comment starting at {@code i}, or 0 when none does: {@code /\*.*?\*\/}, where
     * ".*?" stops at a line terminator, so the comment must close before one.
     */
    private static int blockComment(String s, int i) {
        int n = s.length();
        if (s.charAt(i) != '/' || i + 1 >= n || s.charAt(i + 1) != '*') return 0;
        for (int j = i + 2; j + 1 < n; j++) {
            char d = s.charAt(j);
            if (d == '*' && s.charAt(j + 1) == '/') return j + 2 - i;
            if (lineTerminator(d)) return 0;
        }
        return 0;
    }

    /** The path view: {@code s.replace('\\', '/').replaceAll("/{2,}", "/")}. */
    public static String slashes(String s) {
        StringBuilder out = null;
        char previous = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            char mapped = c == '\\' ? '/' : c;
            boolean drop = mapped == '/' && previous == '/';
            if ((drop || mapped != c) && out == null) out = new StringBuilder(s.length()).append(s, 0, i);
            if (out != null && !drop) out.append(mapped);
            previous = mapped;
        }
        return out == null ? s : out.toString();
    }

    /**
     * PHP's view: {@code s.replaceAll("/\\*.*?\\*\/|(?:#|//)[^\\n]*\\n", " ").replaceAll("\\s+", "")}, comments
     * (a block comment closed before any line terminator, a line comment ended by a newline) and then
     * every blank removed: the space a comment leaves is a blank too, so both go in one pass.
     */
    public static String phpCode(String s) {
        return withoutCommentsAndBlanks(s, true);
    }

    /** One pass for both code views: block comments, line comments when asked ({@code #}, {@code //}), blanks. */
    private static String withoutCommentsAndBlanks(String s, boolean lineComments) {
        int n = s.length();
        StringBuilder out = null;
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            int skip = blockComment(s, i);
            if (skip == 0 && lineComments && (c == '#' || (c == '/' && i + 1 < n && s.charAt(i + 1) == '/'))) {
                int newline = s.indexOf('\n', i + (c == '#' ? 1 : 2));
                if (newline >= 0) skip = newline + 1 - i;
            }
            if (skip == 0 && blank(c)) skip = 1;
            if (skip > 0) {
                if (out == null) out = new StringBuilder(n).append(s, 0, i);
                i += skip;
            } else {
                if (out != null) out.append(c);
                i++;
            }
        }
        return out == null ? s : out.toString();
    }

    /** {@code s.replaceAll("[\\s\\x00-\\x1f]+", "")}: blanks and control characters removed. */
    public static String withoutBlanks(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean drop = c < 0x20 || c == ' ';
            if (drop && out == null) out = new StringBuilder(s.length()).append(s, 0, i);
            if (out != null && !drop) out.append(c);
        }
        return out == null ? s : out.toString();
    }

    /** {@code \s} of java.util.regex without UNICODE_CHARACTER_CLASS. */
    private static boolean blank(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    /** What {@code .} does not match without DOTALL (and without UNIX_LINES). */
    private static boolean lineTerminator(char c) {
        return c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029';
    }
}
