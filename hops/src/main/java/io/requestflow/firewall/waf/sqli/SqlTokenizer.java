package io.requestflow.firewall.waf.sqli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads text the way a SQL parser would and reduces it to a string of token classes, one letter each:
 * {@code s} string, {@code 1} number or literal, {@code n} bare word, {@code v} variable, {@code f}
 * function call, {@code k} keyword, {@code E} statement keyword (select, drop, ...), {@code U} union,
 * {@code B} clause keyword (order, group, having, limit, into), {@code &} logic operator, {@code o}
 * comparison, {@code a} arithmetic or other operator, {@code c} comment, and the punctuation {@code ( ) , ;}.
 */
public final class SqlTokenizer {
    private static final Map<String, Character> WORDS = words();
    private static final Set<Character> OPERATOR_CHARS = Set.of('=', '<', '>', '!', '+', '-', '*', '/', '%', '^',
            '|', '&', '~', ':');

    private SqlTokenizer() {}

    private static Map<String, Character> words() {
        Map<String, Character> m = new java.util.HashMap<>();
        for (String w : List.of("and", "or", "xor")) m.put(w, '&');
        for (String w : List.of("like", "rlike", "regexp", "is", "in", "between", "sounds", "glob", "match",
                "against", "ilike", "similar", "notnull", "isnull")) m.put(w, 'o');
        for (String w : List.of("mod", "div", "not", "collate", "escape")) m.put(w, 'a');
        m.put("union", 'U');
        for (String w : List.of("select", "insert", "update", "delete", "drop", "exec", "execute", "declare",
                "create", "alter", "truncate", "shutdown", "waitfor", "grant", "revoke", "rename", "handler",
                "load", "copy")) m.put(w, 'E');
        for (String w : List.of("order", "group", "having", "limit", "procedure", "into", "offset", "rownum"))
            m.put(w, 'B');
        for (String w : List.of("from", "where", "table", "database", "values", "all", "distinct", "case", "when",
                "then", "else", "end", "by", "top", "delay", "information_schema", "current_user", "outfile",
                "dumpfile", "schema", "column", "exists", "asc", "desc", "sysobjects", "syscolumns",
                "user_tables", "pg_catalog", "mysql", "sqlite_master", "version", "over", "with"))
            m.put(w, 'k');
        for (String w : List.of("null", "true", "false", "unknown")) m.put(w, '1');
        return Map.copyOf(m);
    }

    /**
     * The token classes of {@code text} read as if it followed {@code quote} (0 for none: the text
     * starts outside any string), at most {@code max} tokens; inline block comments are dropped.
     */
    public static String fingerprint(String text, char quote, int max) {
        StringBuilder fp = new StringBuilder(max);
        int i = 0;
        int n = text.length();
        if (quote != 0) {
            i = stringEnd(text, 0, quote);
            fp.append('s');
        }
        while (i < n && fp.length() < max) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || c == '\u00a0') {
                i++;
            } else if (c == '\'' || c == '"' || c == '`') {
                i = stringEnd(text, i + 1, c);
                fp.append(c == '`' ? 'n' : 's');
            } else if (c == '#' || (c == '-' && i + 1 < n && text.charAt(i + 1) == '-')) {
                fp.append('c');
                return fp.toString(); // a line comment hides everything after it
            } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int end = text.indexOf("*/", i + 2);
                boolean executable = i + 2 < n && text.charAt(i + 2) == '!';
                if (end < 0) {
                    fp.append('c');
                    return fp.toString();
                }
                if (executable) {
                    fp.append('c');
                }
                i = end + 2;
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(text.charAt(i + 1)))) {
                i = numberEnd(text, i);
                fp.append('1');
            } else if (c == '@') {
                int j = i + 1;
                if (j < n && text.charAt(j) == '@') j++;
                i = wordEnd(text, j);
                fp.append('v');
            } else if (Character.isLetter(c) || c == '_' || c == '$') {
                int end = wordEnd(text, i);
                String word = text.substring(i, end).toLowerCase(java.util.Locale.ROOT);
                i = end;
                Character cls = WORDS.get(word);
                int next = skipSpaces(text, i);
                if (cls == null || cls == 'k') {
                    cls = next < n && text.charAt(next) == '(' ? Character.valueOf('f') : cls == null ? 'n' : cls;
                }
                fp.append(cls);
            } else if (c == '(' || c == ')' || c == ',' || c == ';') {
                fp.append(c);
                i++;
            } else if (OPERATOR_CHARS.contains(c)) {
                int j = i + 1;
                while (j < n && j < i + 3 && OPERATOR_CHARS.contains(text.charAt(j)) && text.charAt(j) != '-') j++;
                String op = text.substring(i, j);
                fp.append(op.equals("&&") || op.equals("||") ? '&' : isComparison(op) ? 'o' : 'a');
                i = j;
            } else {
                fp.append('x');
                i++;
            }
        }
        return fp.toString();
    }

    private static boolean isComparison(String op) {
        return op.startsWith("=") || op.startsWith("<") || op.startsWith(">") || op.startsWith("!=");
    }

    /** Index after the closing quote (doubled quotes and backslash escapes stay inside), or the end. */
    private static int stringEnd(String text, int from, char quote) {
        int i = from;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < text.length() && text.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        return text.length();
    }

    private static int numberEnd(String text, int i) {
        int n = text.length();
        if (text.startsWith("0x", i) || text.startsWith("0X", i) || text.startsWith("0b", i)) {
            i += 2;
            while (i < n && Character.digit(text.charAt(i), 16) >= 0) i++;
            return i;
        }
        while (i < n && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '.')) i++;
        if (i < n && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
            int j = i + 1;
            if (j < n && (text.charAt(j) == '+' || text.charAt(j) == '-')) j++;
            if (j < n && Character.isDigit(text.charAt(j))) {
                i = j;
                while (i < n && Character.isDigit(text.charAt(i))) i++;
            }
        }
        // "1abc" reads as one bare word to a SQL parser only in some dialects; treat trailing letters as part of it
        while (i < n && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) i++;
        return i;
    }

    private static int wordEnd(String text, int i) {
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Character.isLetterOrDigit(c) || c == '_' || c == '$' || c == '.') {
                i++;
            } else {
                break;
            }
        }
        return i;
    }

    private static int skipSpaces(String text, int i) {
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) i++;
        return i;
    }

    /** For tests and the audit log: the fingerprint from each starting context. */
    public static List<String> contexts(String text, int max) {
        List<String> out = new ArrayList<>(3);
        out.add(fingerprint(text, (char) 0, max));
        if (text.indexOf('\'') >= 0) out.add(fingerprint(text, '\'', max));
        if (text.indexOf('"') >= 0) out.add(fingerprint(text, '"', max));
        return out;
    }
}
