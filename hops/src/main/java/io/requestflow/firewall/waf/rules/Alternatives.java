package io.requestflow.firewall.waf.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A rule's regex cut at its top-level {@code |} into alternatives, each with the literal ways it needs
 * (see {@link RequiredLiterals}; null: none known). A long alternation is tried at every position of
 * a value; running only the alternatives whose literals occur gives the same match for less work:
 * an alternative whose literals are absent cannot match, and among the others the whole regex's
 * {@code find} returns the leftmost start, the first alternative in order at that start
 * ({@link PatternRule#matchFirst}). {@code firsts}: per alternative, the characters its matches start
 * with (see {@link FirstChars}; null: unknown).
 */
public record Alternatives(Pattern[] patterns, Prefilter.Need[] ways, FirstChars[] firsts) {

    /**
     * The top-level alternatives of {@code regex} (compiled without flags), or null when it has fewer
     * than two or when cutting could change their meaning: back-references and named groups (group
     * numbers shift), inline flags (they reach into later alternatives), and bracket classes this
     * reader does not follow ({@code []...]}).
     */
    public static List<String> split(String regex) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\') {
                if (i + 1 >= regex.length()) return null;
                char e = regex.charAt(i + 1);
                if ((e >= '1' && e <= '9') || e == 'k' || e == 'Q') return null;
                i++;
            } else if (c == '[') {
                i = classEnd(regex, i);
                if (i < 0) return null;
            } else if (c == '(') {
                if (i + 1 < regex.length() && regex.charAt(i + 1) == '?') {
                    String rest = regex.substring(i + 2);
                    if (!(rest.startsWith(":") || rest.startsWith("=") || rest.startsWith("!") || rest.startsWith("<=")
                            || rest.startsWith("<!") || rest.startsWith(">"))) {
                        return null; // inline flags or a named group
                    }
                }
                depth++;
            } else if (c == ')') {
                depth--;
                if (depth < 0) return null;
            } else if (c == '|' && depth == 0) {
                parts.add(regex.substring(start, i));
                start = i + 1;
            }
        }
        if (depth != 0 || parts.isEmpty()) return null;
        parts.add(regex.substring(start));
        for (String p : parts) if (p.isEmpty()) return null;
        return parts;
    }

    /** Index of the {@code ]} closing the class opened at {@code open}, following nested classes; -1 if unsure. */
    private static int classEnd(String regex, int open) {
        int i = open + 1;
        if (i < regex.length() && regex.charAt(i) == '^') i++;
        if (i < regex.length() && regex.charAt(i) == ']') return -1;
        int depth = 1;
        for (; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\') {
                if (i + 1 < regex.length() && regex.charAt(i + 1) == 'Q') return -1;
                i++;
            } else if (c == '[') {
                depth++;
            } else if (c == ']') {
                if (--depth == 0) return i;
            }
        }
        return -1;
    }
}
