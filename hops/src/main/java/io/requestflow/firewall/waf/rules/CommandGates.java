package io.requestflow.firewall.waf.rules;

/**
 * Necessary conditions of the command-injection regexes that a URL-shaped value (a Referer holding a
 * search query) admitted by its literals alone: {@code &}, {@code /}, {@code ?}, "sh" in "shop". Each
 * is read off the regex it guards, so a value it turns away cannot match that regex; a value it lets
 * through still runs the regex. {@code RuleGateEquivalenceTest} runs every rule's regex on every value
 * of both corpora and asserts the gate lets through each one it matches.
 */
final class CommandGates {
    private CommandGates() {}

    /**
     * RCE-100: {@code (?:[;&|`\n]|!(?=[a-z])|\$\(|\|\||&&|\{)\s*\(?\s*PATH?COMMAND(?:[\s<>&|;`)+]|$)}, PATH being
     * {@code [\w./-]} characters ending in '/'.
     * After a separator and the blanks and '(' the regex skips, the path and the command are ASCII word
     * characters, '.', '/', '+' or '-' (every word of the list is), ending at a blank, one of
     * {@code <>&|;`)+} or the end (or a line terminator ending the value, where {@code $} also matches).
     * In a query string the word after {@code &} ends at '=', so it is turned away.
     */
    static boolean mayChainCommand(String v) {
        int n = v.length();
        for (int p = 1; p <= n; p++) {
            if (!afterChainSeparator(v, p)) continue;
            int q = p;
            while (q < n && (blank(v.charAt(q)) || v.charAt(q) == '(')) q++;
            int e = q;
            while (e < n && (commandChar(v.charAt(e)) || v.charAt(e) == '/')) {
                if (v.charAt(e) == '+' && e > q) return true; // '+' also ends a command
                e++;
            }
            if (e > q && (e == n || commandEnd(v.charAt(e)) || lineTerminator(v.charAt(e)))) return true;
        }
        return false;
    }

    /** The regex's separators end at {@code p}: one of {@code ;&|`\n{} (also the end of || and &&), "$(", or '!' before a letter. */
    private static boolean afterChainSeparator(String v, int p) {
        char c = v.charAt(p - 1);
        if (c == ';' || c == '&' || c == '|' || c == '`' || c == '\n' || c == '{') return true;
        if (c == '(') return p >= 2 && v.charAt(p - 2) == '$';
        return c == '!' && p < v.length() && v.charAt(p) >= 'a' && v.charAt(p) <= 'z';
    }

    /**
     * RCE-105: {@code (?:[;&|`\n]|\$\(|\|\||&&)\s*[a-z][\w.+-]*\s+(?:-{1,2}[a-z]|/|~|\$|\.{1,2}/)|^\s*(?:nohup|sudo|
     * doas|exec|nice|timeout|xargs|strace|chroot|setsid|stdbuf|busybox|time)\s+[\w/.-]+}. The first: after a
     * separator and blanks, a word starting with a letter runs to a blank (no blank can be inside it), and
     * after the blanks comes '-', '/', '~', '$' or '.'. The second: the value, blanks skipped, starts
     * with one of those words and a blank.
     */
    static boolean mayRunWithArguments(String v) {
        int n = v.length();
        int s = 0;
        while (s < n && blank(v.charAt(s))) s++;
        for (String w : PREFIXES) {
            if (v.startsWith(w, s) && s + w.length() < n && blank(v.charAt(s + w.length()))) return true;
        }
        for (int p = 1; p < n; p++) {
            char c = v.charAt(p - 1);
            if (!(c == ';' || c == '&' || c == '|' || c == '`' || c == '\n' || (c == '(' && p >= 2 && v.charAt(p - 2) == '$'))) {
                continue;
            }
            int q = p;
            while (q < n && blank(v.charAt(q))) q++;
            if (q >= n || v.charAt(q) < 'a' || v.charAt(q) > 'z') continue;
            int e = q + 1;
            while (e < n && commandChar(v.charAt(e))) e++;
            if (e >= n || !blank(v.charAt(e))) continue;
            while (e < n && blank(v.charAt(e))) e++;
            if (e < n && "-/~$.".indexOf(v.charAt(e)) >= 0) return true;
        }
        return false;
    }

    /**
     * RCE-205: {@code (?:^|[?&=])\s*COMMAND\s+-{1,2}[a-z]}: at the start or after '?', '&' or '=', blanks
     * skipped, a run of word characters, '.', '+' or '-' (every command is one) up to a blank, then blanks
     * and '-'. In a query string the word after '=' ends at '&' or the end, so it is turned away.
     */
    static boolean mayPassFlags(String v) {
        int n = v.length();
        for (int p = 0; p < n; p++) {
            if (p > 0) {
                char c = v.charAt(p - 1);
                if (c != '?' && c != '&' && c != '=') continue;
            }
            int q = p;
            while (q < n && blank(v.charAt(q))) q++;
            int e = q;
            while (e < n && commandChar(v.charAt(e))) e++;
            if (e == q || e >= n || !blank(v.charAt(e))) continue;
            while (e < n && blank(v.charAt(e))) e++;
            if (e < n && v.charAt(e) == '-') return true;
        }
        return false;
    }

    /**
     * RCE-150: {@code (?:^|[\s;&|`'"(=])/(?:bin|sbin|usr/(?:local/)?s?bin)/[a-z]|/dev/(?:tcp|udp)/|/[?*]{1,3}/[?*a-z]*[?*]}:
     * every match holds "/bin/", "/sbin/", "/dev/", "/?" or "/*" (a URL's '?' follows its path's last word).
     */
    static boolean mayNameShellPath(String v) {
        for (int i = v.indexOf('/'); i >= 0 && i + 1 < v.length(); i = v.indexOf('/', i + 1)) {
            char c = v.charAt(i + 1);
            if (c == '?' || c == '*' || v.startsWith("bin/", i + 1) || v.startsWith("sbin/", i + 1)
                    || v.startsWith("dev/", i + 1)) {
                return true;
            }
        }
        return false;
    }

    /**
     * RCE-220, alternative by alternative: those with a brace need '{'; "alias", "{@code <<<}", "!-",
     * "trap", "$shell", "$bash" their words; {@code ^~[+-]\d*$} a leading '~'; {@code ^(?:usr/)?s?bin/[a-z]}
     * a leading "usr/", "bin/" or "sbin/"; {@code (?:^|[;&|\n])\s*\.\s+[\w/]} a '.' before a blank; and
     * {@code /[\w.-]*[*?][\w.-]*\/[\w.-]*[*?]} a '*' or '?' whose run of {@code [\w.-]} on either side
     * is bounded by '/' (a URL's '?' is followed by "q=", not by a '/').
     */
    static boolean mayBeShellConstruct(String v) {
        if (v.indexOf('{') >= 0 || v.startsWith("~") || v.startsWith("usr/") || v.startsWith("bin/")
                || v.startsWith("sbin/") || v.contains("<<<") || v.contains("!-") || v.contains("alias")
                || v.contains("trap") || v.contains("$shell") || v.contains("$bash")) {
            return true;
        }
        int n = v.length();
        for (int i = 0; i < n; i++) {
            char c = v.charAt(i);
            if (c == '.' && i + 1 < n && blank(v.charAt(i + 1))) return true;
            if (c == '*' || c == '?') {
                int b = i - 1;
                while (b >= 0 && pathWordChar(v.charAt(b))) b--;
                if (b < 0 || v.charAt(b) != '/') continue;
                int f = i + 1;
                while (f < n && pathWordChar(v.charAt(f))) f++;
                if (f < n && v.charAt(f) == '/') return true;
            }
        }
        return false;
    }

    private static final String[] PREFIXES = {"nohup", "sudo", "doas", "exec", "nice", "timeout", "xargs", "strace",
            "chroot", "setsid", "stdbuf", "busybox", "time"};

    /** {@code \s} without flags. */
    static boolean blank(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000b' || c == '\f' || c == '\r';
    }

    /** {@code [\w.+-]}: the characters of every command word in the lists (python3.8, g++, apt-get, nc.openbsd). */
    private static boolean commandChar(char c) {
        return pathWordChar(c) || c == '+';
    }

    /** {@code [\w.-]} without flags. */
    private static boolean pathWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'
                || c == '-';
    }

    /** {@code [\s<>&|;`)+]}: what RCE-100 accepts after the command. */
    private static boolean commandEnd(char c) {
        return blank(c) || c == '<' || c == '>' || c == '&' || c == '|' || c == ';' || c == '`' || c == ')' || c == '+';
    }

    /** Where {@code $} (no flags) also matches when the rest of the value is a line terminator. */
    private static boolean lineTerminator(char c) {
        return c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029';
    }
}
