package io.requestflow.firewall.waf.rules;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A long word list {@code (?:cat|curl|cp|...)} regrouped by first character, {@code (?:c(?:at|url|p)|...)}:
 * java.util.regex tries an alternation's branches one after the other, so at each place a command
 * may start it compares against a few first characters instead of every word. The match is the same:
 * words with different first characters cannot both match at one position, and the words sharing
 * one keep their order.
 */
public final class Alternations {
    private Alternations() {}

    /**
     * {@code group} ({@code (?:w1|w2|...)}) regrouped by first character, or {@code group} itself when
     * regrouping could change it: a word that does not start with a letter or digit, or whose first
     * character is quantified, or a capturing group (numbers would move).
     */
    public static String factored(String group) {
        if (!group.startsWith("(?:") || !group.endsWith(")")) return group;
        List<String> items = topLevel(group.substring(3, group.length() - 1));
        if (items == null || items.size() < 2) return group;
        Map<Character, List<String>> byFirst = new LinkedHashMap<>();
        for (String item : items) {
            if (item.isEmpty()) return group;
            char first = item.charAt(0);
            if (!((first >= 'a' && first <= 'z') || (first >= '0' && first <= '9'))) return group;
            if (item.length() > 1 && "*+?{".indexOf(item.charAt(1)) >= 0) return group;
            for (int i = 0; i + 1 < item.length(); i++) {
                if (item.charAt(i) == '\\') i++;
                else if (item.charAt(i) == '(' && item.charAt(i + 1) != '?') return group;
            }
            byFirst.computeIfAbsent(first, c -> new ArrayList<>()).add(item.substring(1));
        }
        StringBuilder out = new StringBuilder("(?:");
        boolean firstGroup = true;
        for (Map.Entry<Character, List<String>> e : byFirst.entrySet()) {
            if (!firstGroup) out.append('|');
            firstGroup = false;
            out.append(e.getKey());
            List<String> rest = e.getValue();
            if (rest.size() == 1) {
                out.append(rest.get(0).isEmpty() ? "" : "(?:" + rest.get(0) + ")");
            } else {
                out.append("(?:").append(String.join("|", rest)).append(')');
            }
        }
        return out.append(')').toString();
    }

    /** The alternatives of {@code body} at its top level, or null when brackets do not balance. */
    private static List<String> topLevel(String body) {
        List<String> items = new ArrayList<>();
        int depth = 0;
        boolean inClass = false;
        int start = 0;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\\') {
                i++;
            } else if (inClass) {
                inClass = c != ']';
            } else if (c == '[') {
                inClass = true;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                if (--depth < 0) return null;
            } else if (c == '|' && depth == 0) {
                items.add(body.substring(start, i));
                start = i + 1;
            }
        }
        if (depth != 0 || inClass) return null;
        items.add(body.substring(start));
        return items;
    }
}
