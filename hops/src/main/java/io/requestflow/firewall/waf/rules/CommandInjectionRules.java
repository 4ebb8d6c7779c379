package io.requestflow.firewall.waf.rules;

import io.requestflow.firewall.waf.QuietView;
import io.requestflow.firewall.waf.normalize.Normalizer;

import java.util.List;
import java.util.function.UnaryOperator;

import static io.requestflow.firewall.waf.Severity.CRITICAL;
import static io.requestflow.firewall.waf.rules.PatternRule.ARGS;
import static io.requestflow.firewall.waf.rules.PatternRule.ARGS_AND_HEADERS;
import static io.requestflow.firewall.waf.rules.PatternRule.anyChar;
import static io.requestflow.firewall.waf.rules.PatternRule.anyOf;
import static io.requestflow.firewall.waf.rules.PatternRule.of;

/** OS command injection, Unix and Windows: commands after shell separators, substitutions, shell paths. */
public final class CommandInjectionRules extends PatternFamily {
    /** The shell's view: quotes and escapes gone, $IFS and friends read as spaces. */
    private static final java.util.regex.Pattern IFS = java.util.regex.Pattern.compile("\\$\\{?ifs\\}?");
    /** Expansions that are empty in practice ($@, $*, $1, ${x}): the shell joins the word around them. */
    private static final java.util.regex.Pattern EMPTY_EXPANSIONS = java.util.regex.Pattern.compile(
            "\\$[@*]|\\$\\d|\\$\\{[a-z0-9_]{0,8}\\}|\\$\\(\\s*\\)|(?<=[a-z])\\$[!?$_-]|(?<=[a-z])\\$[a-z](?![\\w])");
    /**
     * The ASCII characters {@link Normalizer#commandLine} reacts to: the quotes, backslash and caret it drops, the
     * comma and the whitespace ({@link Character#isWhitespace}) it turns into a single space, the space among them
     * (two in a row become one). Some non-ASCII spaces count too, so the views below run on any non-ASCII value.
     */
    private static final String COMMAND_LINE_TRIGGERS = "\\'\"^, \t\n\013\f\r\034\035\036\037";
    /** '$' as well: the expansions are rewritten only in a value that has one. */
    static final UnaryOperator<String> SHELL = new QuietView("$" + COMMAND_LINE_TRIGGERS, true,
            s -> Normalizer.commandLine(s.indexOf('$') < 0 ? s
                    : EMPTY_EXPANSIONS.matcher(IFS.matcher(s).replaceAll(" ")).replaceAll("")));
    private static final UnaryOperator<String> WINDOWS_VIEW = new QuietView(COMMAND_LINE_TRIGGERS, true,
            s -> Normalizer.commandLine(s.replace("\\", "/")));

    private static final java.util.Set<io.requestflow.firewall.waf.Target.Kind> VALUES = java.util.EnumSet.of(
            io.requestflow.firewall.waf.Target.Kind.ARG, io.requestflow.firewall.waf.Target.Kind.COOKIE,
            io.requestflow.firewall.waf.Target.Kind.BODY);
    /** Values, free-text headers and argument names (a query without "=" is all name). */
    private static final java.util.Set<io.requestflow.firewall.waf.Target.Kind> VALUES_AND_HEADERS = java.util.EnumSet.of(
            io.requestflow.firewall.waf.Target.Kind.ARG, io.requestflow.firewall.waf.Target.Kind.COOKIE,
            io.requestflow.firewall.waf.Target.Kind.BODY, io.requestflow.firewall.waf.Target.Kind.HEADER,
            io.requestflow.firewall.waf.Target.Kind.ARG_NAME);

    public static final String UNIX = "(?:cat|tac|nl|ls|id|uname|whoami|wget|curl|nc|ncat|netcat|bash|sh|zsh|ksh|csh|"
            + "tcsh|dash|ash|python[0-9.]*|perl|ruby|php[0-9]*|lua|node|nmap|ping|echo|printf|chmod|chown|chgrp|"
            + "rm|rmdir|mv|cp|touch|kill|killall|pkill|ps|env|printenv|head|tail|more|less|grep|egrep|fgrep|find|awk|"
            + "gawk|sed|telnet|ssh|scp|sftp|ftp|tftp|rsync|base64|base32|xxd|od|hexdump|strings|dd|mkfifo|mknod|"
            + "socat|nohup|crontab|useradd|usermod|passwd|ifconfig|ip|netstat|ss|systemctl|service|history|eval|"
            + "exec|sleep|which|whereis|locate|tar|zip|unzip|gzip|gunzip|bzip2|xz|7z|gcc|cc|make|java|busybox|"
            + "timeout|nslookup|dig|host|whois|traceroute|reboot|shutdown|halt|poweroff|su|sudo|doas|wall|"
            + "mail|sendmail|xargs|tee|sort|uniq|cut|tr|diff|file|stat|du|df|mount|umount|lsof|last|w|who|"
            + "finger|groups|getent|nproc|hostname|uptime|date|cal|chattr|lsattr|shred|wipe|tclsh|wish|expect|"
            + "openssl|gpg|docker|kubectl|pip[0-9]*|npm|gem|apt|apt-get|yum|dnf|rpm|dpkg|git|svn|vi|vim|nano|"
            + "ed|emacs|man|info|jq|column|fold|fmt|rev|seq|yes|watch|screen|tmux|setsid|runuser|chroot|"
            + "ldd|strace|ltrace|gdb|objdump|readelf|nm|ar|ld|as|pwd|cd|export|unset|alias|source|type|"
            + "command|builtin|set|test|true|false|exit|logout|trap|wait|jobs|fg|bg|disown|ulimit|umask|"
            + "getfacl|setfacl|iptables|route|arp|tcpdump|base|xterm|nice|renice|time)";

    /** Commands that are not also everyday English words: safe to look for after a separator at level 1. */
    public static final String UNIX_STRONG = "(?:cat|tac|nl|ls|id|uname|whoami|wget|curl|nc|ncat|netcat|bash|sh|zsh|ksh|"
            + "csh|tcsh|dash|python[0-9.]*|perl|ruby|php[0-9]*|lua|nmap|ping|echo|printf|chmod|chown|rm|mv|cp|"
            + "killall|pkill|ps|env|printenv|grep|egrep|awk|gawk|sed|telnet|ssh|scp|sftp|ftp|tftp|rsync|base64|xxd|"
            + "hexdump|dd|mkfifo|mknod|socat|nohup|crontab|useradd|usermod|passwd|ifconfig|netstat|systemctl|"
            + "which|whereis|tar|unzip|gzip|gunzip|bzip2|gcc[0-9.]*|busybox|nslookup|whois|traceroute|reboot|sudo|doas|"
            + "xargs|uptime|chattr|lsattr|shred|tclsh|openssl|kubectl|chroot|strace|pwd|ulimit|iptables|tcpdump|"
            + "xterm|lsof|getent|hostname|sleep|eval|exec|uniq|wc|od|readelf|objdump|base32|c89|c99|g\\+\\+|clang|"
            + "lastlog|visudo|regedit|bcdboot|aptitude|htop|ansible(?:-\\w+)?|flock|perf|ionice|taskset|unshare|nsenter|capsh|setcap|getcap|"
            + "ldconfig|modprobe|insmod|rmmod|lsmod|dmesg|journalctl|sysctl|ufw|firewall-cmd|nft|ssh-keygen|"
            + "scp|wall|write|mesg|mkdir|rmdir|ln|install|truncate|fallocate|split|csplit|zcat|zgrep|bzcat|"
            + "xzcat|7za|rar|unrar|curl|aria2c|lynx|links|w3m|elinks|nc\\.traditional|nc\\.openbsd|cd)";

    /** The first word of the value is a Unix command (a set lookup instead of the regex alternation). */
    static boolean startsWithCommand(String v) {
        int i = 0;
        while (i < v.length() && v.charAt(i) == ' ') i++;
        if (v.startsWith("sudo ", i)) i += 5;
        int start = i;
        while (i < v.length() && v.charAt(i) >= 'a' && v.charAt(i) <= 'z') i++;
        return i > start && COMMAND_WORDS.contains(v.substring(start, i));
    }

    private static final java.util.Set<String> COMMAND_WORDS = java.util.Arrays.stream(
                    UNIX_STRONG.replaceAll("[()?:\\\\]|\\[[^]]*]|\\*|\\+|\\.\\w+|-\\\\w\\+", "").split("\\|"))
            .map(w -> w.replaceAll("[^a-z]", "")).filter(w -> !w.isEmpty())
            .collect(java.util.stream.Collectors.toUnmodifiableSet());

    static final String WINDOWS = "(?:cmd(?:\\.exe)?|powershell(?:\\.exe)?|pwsh|ipconfig|tasklist|taskkill|"
            + "systeminfo|whoami|certutil|bitsadmin|wmic|reg|schtasks|regsvr32|rundll32|mshta|cscript|wscript|"
            + "net|net1|netsh|sc|dir|type|copy|xcopy|robocopy|del|erase|rd|rmdir|md|mkdir|start|ping|nslookup|"
            + "tracert|arp|route|attrib|icacls|cacls|takeown|runas|shutdown|format|diskpart|vssadmin|wevtutil|"
            + "bcdedit|msiexec|forfiles|findstr|more|echo|set|ver|vol|hostname|query|qwinsta|quser|at|"
            + "expand|makecab|msbuild|installutil|regasm|regsvcs|odbcconf|cmstp|esentutl|ntdsutil)";

    /** Windows commands that are not English words, for level 1. */
    static final String WINDOWS_STRONG = "(?:cmd(?:\\.exe)?\\s*/[ck]|powershell(?:\\.exe)?|pwsh|ipconfig|tasklist|"
            + "taskkill|systeminfo|whoami|certutil|bitsadmin|wmic|reg\\s+(?:add|query|delete|save|export)|schtasks|"
            + "regsvr32|rundll32|mshta|cscript|wscript|net1?\\s+(?:user|localgroup|group|view|use|share|session|"
            + "accounts)|netsh|vssadmin|wevtutil|bcdedit|msiexec|icacls|cacls|takeown|ntdsutil|nltest|dsquery|"
            + "forfiles|findstr|xcopy|robocopy|attrib|tracert|nslookup|qwinsta|quser|makecab|msbuild|installutil|"
            + "regasm|regsvcs|odbcconf|cmstp|esentutl|diskpart|regedit|bcdboot)";

    /** The word lists as the rules' regexes use them: grouped by first character (same matches, fewer tries). */
    private static final String UNIX_RE = Alternations.factored(UNIX);
    private static final String UNIX_STRONG_RE = Alternations.factored(UNIX_STRONG);

    public CommandInjectionRules() {
        super(List.of(
                of("RCE-100", 1, CRITICAL, "(?:[;&|`\\n]|!(?=[a-z])|\\$\\(|\\|\\||&&|\\{)\\s*\\(?\\s*(?:[\\w./-]*/)?"
                        + UNIX_STRONG_RE + "(?:[\\s<>&|;`)+]|$)", VALUES_AND_HEADERS, SHELL).when(anyChar(";&|`\n$({")).when(CommandGates::mayChainCommand),
                of("RCE-105", 1, CRITICAL, "(?:[;&|`\\n]|\\$\\(|\\|\\||&&)\\s*[a-z][\\w.+-]*\\s+(?:-{1,2}[a-z]|/|~|"
                        + "\\$|\\.{1,2}/)|^\\s*(?:nohup|sudo|doas|exec|nice|timeout|xargs|strace|chroot|setsid|stdbuf|"
                        + "busybox|time)\\s+[\\w/.-]+", VALUES_AND_HEADERS, SHELL).when(anyChar(";&|`\\n$ "))
                        .when(CommandGates::mayRunWithArguments),
                of("RCE-115", 1, CRITICAL, "\\bfor\\s+(?:/[dflr]\\b[^%]*)?(?:\\\"[^\\\"]*\\\"\\s+)?%%?\\S[\\w~]*\\s+in\\s*\\(.*\\)"
                        + "\\s*do\\b|^\\s*if\\s*(?:/i\\s*)?(?:not\\s+)?(?:exist\\b|defined\\b|errorlevel\\b|"
                        + "cmdextversion\\b|\"[^\"]*\"\\s*==|\\S+\\s*(?:==|\\b(?:equ|neq|lss|leq|gtr|geq)\\b))", VALUES).when(anyOf("for", "if")),
                of("RCE-110", 1, CRITICAL, "(?:^|[;&|`\\n]|\\|\\||&&)\\s*(?:[a-z]:)?(?:[\\w./\\\\-]*[\\\\/])?"
                        + WINDOWS_STRONG + "(?:\\.exe|\\.com)?(?:[\\s/]|$)", VALUES_AND_HEADERS, WINDOWS_VIEW).when(anyOf(";", "&", "|", "`", "\n", "cmd", "powershell", "pwsh", "ipconfig", "tasklist", "taskkill", "systeminfo", "whoami", "certutil", "bitsadmin", "wmic", "reg ", "schtasks", "regsvr32", "rundll32", "mshta", "cscript", "wscript", "net", "vssadmin", "wevtutil", "bcdedit", "msiexec", "icacls", "cacls", "takeown", "ntdsutil", "nltest", "dsquery", "forfiles", "findstr", "xcopy", "robocopy", "attrib", "tracert", "nslookup", "qwinsta", "quser", "makecab", "msbuild", "installutil", "regasm", "regsvcs", "odbcconf", "cmstp", "esentutl", "diskpart", "regedit", "bcdboot")),
                of("RCE-120", 1, CRITICAL, "\\b(?:invoke-(?:webrequest|expression|command|restmethod|item|wmimethod|"
                        + "shellcode|mimikatz)|iex|iwr|irm|iwmi|new-object|start-process|downloadstring|downloadfile|"
                        + "get-(?:content|childitem|process|wmiobject|item|acl|credential)|set-(?:content|item|"
                        + "executionpolicy)|add-type|out-file|-encodedcommand|-executionpolicy|-windowstyle|"
                        + "system\\.net\\.webclient|frombase64string)\\b", ARGS_AND_HEADERS).when(anyOf("-", "iex", "iwr", "irm", "iwmi", "system.net", "frombase64")),
                of("RCE-130", 1, CRITICAL, "\\$\\[|\\$\\((?!\\s*\\))[^)]*\\)|\\$\\{[^}]+\\}|<\\([^)]+\\)|>\\([^)]+\\)|"
                        + "`[^`]*`|/[\\w.-]*\\[!?[^\\]/]+\\][\\w.-]*", ARGS).when(anyChar("$<>`[")),
                of("RCE-140", 1, CRITICAL, "\\(\\s*\\)\\s*\\{.*?;\\s*\\}|:\\(\\)\\s*\\{\\s*:\\|:&?\\s*\\};", ARGS_AND_HEADERS).when(anyChar("{")),
                of("RCE-150", 1, CRITICAL, "(?:^|[\\s;&|`'\"(=])/(?:bin|sbin|usr/(?:local/)?s?bin)/[a-z]|/dev/(?:tcp|udp)/"
                        + "|/[?*]{1,3}/[?*a-z]*[?*]", ARGS_AND_HEADERS).when(anyChar("/")).when(CommandGates::mayNameShellPath),
                of("RCE-160", 1, CRITICAL, "\\s*(?:sudo\\s+)?" + UNIX_STRONG_RE + "\\s+(?:-{1,2}[a-z]|/|\\.{1,2}/|~|\\*|\\$)",
                        ARGS, SHELL).atStart().when(CommandInjectionRules::startsWithCommand),
                // administration tools that no form field or browser header has reason to name
                of("RCE-200", 1, CRITICAL, "(?:^|[;&|`\\n=(]|\\$\\()\\s*(?:sudo\\s+)?(?:ansible-[a-z]+|ansible\\s+(?:all|localhost|-)|"
                        + "chef-[a-z]+|cscli|visudo|salt-[a-z]+|aa-[a-z]+|ssh-copy-id|ssh-keygen|rmt-[a-z]+|cpulimit|"
                        + "(?:pip[x0-9.]*|gem|npm|apt|apt-get|yum|dnf|apk)\\s+install|regedit|bcdboot)\\b",
                        VALUES_AND_HEADERS, SHELL).when(anyOf("ansible", "chef-", "cscli", "visudo", "salt-", "aa-", "ssh-",
                                "rmt-", "cpulimit", "install", "regedit", "bcdboot")),
                // a header (User-Agent, Referer, ...) or a referer's argument that is a command with flags
                of("RCE-205", 1, CRITICAL, "(?:^|[?&=])\\s*" + UNIX_RE + "\\s+-{1,2}[a-z]", java.util.EnumSet.of(
                        io.requestflow.firewall.waf.Target.Kind.HEADER), SHELL).when(anyChar("-")).when(CommandGates::mayPassFlags),
                // a variable run as the command after a separator: a=nc&&$a -nlvp, ;$a cat x, |$u wget
                of("RCE-210", 1, CRITICAL, "(?:[;&|`\\n]|\\|\\||&&)\\s*\\$\\{?[a-z_]\\w*\\}?\\s+[\\w/$-]", VALUES_AND_HEADERS)
                        .when(anyChar("$")),
                // shell constructs: function definitions run at once (f(){ f|f& };f), aliases, here-strings,
                // brace expansion lists, tilde expansion, history expansion, source (". x"), traps, find -exec
                of("RCE-220", 1, CRITICAL, "^\\s*\\(\\s*\\)\\s*\\{|[\\w.-]+\\s*\\(\\)\\s*\\{[^}]*\\}\\s*;?\\s*[\\w.-]+|"
                        + "\\balias\\s+(?:[-+]\\w+\\s+)*['\"]?[\\w.-]+['\"]?\\s*=|[\\w.]\\s*<<<|"
                        + "\\{,[^{}]*\\}|\\{[\\w$\\\\/.'\"?*-]+,[\\w$\\\\/.'\"?*,-]*\\}|^~[+-]\\d*$|(?:^|[\\s;])!-\\d+|"
                        + "(?:^|[;&|\\n])\\s*\\.\\s+[\\w/]|[;&|]\\s*trap\\s+['\"]|-exec\\s+[\\w/.-]+.*\\{\\s*\\}|"
                        + "/[\\w.-]*[*?][\\w.-]*/[\\w.-]*[*?]|\\$(?:shell|bash)\\b|^(?:usr/)?s?bin/[a-z]",
                        VALUES_AND_HEADERS).when(anyChar("(){<~!.;&|-*?$/=")).when(CommandGates::mayBeShellConstruct),
                // SQLite shell dot-commands after a statement end: ;.shell, ;.system, .databases
                of("RCE-225", 1, CRITICAL, "(?:^|[;\\n]|\\\\n)[\\s\"'\\\\]*\\.[\\s\"'\\\\]*(?:shell|system|databases|tables|dump|"
                        + "import|load|output|read|schema|sh|once|open)\\b", VALUES).when(anyChar(".")),
                // mail protocol commands smuggled after a line break (SMTP, IMAP, POP3)
                of("RCE-230", 1, CRITICAL, "[\\r\\n]\\s*(?:mail\\s+from\\s*:|rcpt\\s+to\\s*:|(?:ehlo|helo)\\s+[\\w.-]+\\s*$|"
                        + "(?:data|quit|rset|starttls)\\s*(?:[\\r\\n]|$)|(?:vrfy|expn|help)\\s+\\w+\\s*(?:[\\r\\n]|$)|"
                        + "[a-z]{0,4}\\d{1,4}\\s+(?:login|select|examine|create|delete|rename|subscribe|list|lsub|status|append|"
                        + "check|close|expunge|search|fetch|store|copy|uid|authenticate|logout|capability|noop|quit)\\b|"
                        + "(?:retr|dele|list|uidl)\\s+\\d+\\s*(?:[\\r\\n]|$)|top\\s+\\d+\\s+\\d+|(?:apop|auth)\\s+\\S+)", VALUES).when(anyChar("\r\n")),
                // a command glued to a separator: ;who, |top, `htop` (prose puts a space after a semicolon)
                of("RCE-235", 1, CRITICAL, "(?:;|\\|(?!\\|)|`)(?:" + UNIX_RE + "|aptitude|htop|top|who|at\\s+\\d+:\\d+)(?:[\\s'\"`;|&]|$)",
                        VALUES_AND_HEADERS, SHELL).when(anyChar(";|`")),
                // history expansion of the previous command
                of("RCE-240", 2, CRITICAL, "^\\s*!(?:!|\\d+)\\s*$", VALUES).when(anyChar("!")),
                of("RCE-170", 2, CRITICAL, "(?:[;&|`\\n]|\\|\\||&&|\\$\\()\\s*(?:[\\w./-]*/)?" + UNIX_RE + "\\b",
                        VALUES, SHELL).when(anyChar(";&|`\n$")),
                of("RCE-175", 2, CRITICAL, "(?:[;&|`\\n]|\\|\\||&&)\\s*(?:[a-z]:)?(?:[\\w./\\\\-]*[\\\\/])?" + WINDOWS
                        + "(?:\\.exe|\\.com)?(?:[\\s/]|$)", VALUES, WINDOWS_VIEW).when(anyChar(";&|`\n")),
                of("RCE-180", 3, CRITICAL, "[;|`]|&&|\\$\\(|\\$\\{", ARGS),
                of("RCE-190", 4, CRITICAL, "\\b" + UNIX_RE + "\\b\\s+\\S", ARGS, SHELL)));
    }

    /** What the shell drops inside a word: empty expansions, quotes, escapes ($@, $(), <(), '', \\, $u). */
    private static final String GLUE = "\\$[@*!?$_-]|\\$\\d|\\$\\{\\w{0,8}\\}|\\$\\(\\s*\\)|[<>]\\(\\s*\\)|['\"\\\\]|"
            + "\\$[a-z](?![a-z])";
    private static final java.util.regex.Pattern GLUE_PATTERN = java.util.regex.Pattern.compile(GLUE);
    private static final java.util.regex.Pattern GLUED_WORD = java.util.regex.Pattern.compile(
            "[a-z0-9._-]*(?:(?:" + GLUE + ")+[a-z0-9._-]*)+");
    private static final java.util.regex.Pattern INNER_GLUE = java.util.regex.Pattern.compile(
            "[a-z0-9](?:" + GLUE + ")+[a-z0-9]");

    /**
     * RCE-215: a command name put together from pieces the shell joins (c$@at, pi$()ng, 'i'fconfig,
     * p""y""thon3): fires only when the joined word is a command, so passwords full of $ and * pass.
     */
    @Override
    public void inspect(io.requestflow.firewall.waf.Inspection request, int paranoia,
                        List<io.requestflow.firewall.waf.Match> out) {
        super.inspect(request, paranoia, out);
        for (io.requestflow.firewall.waf.Target t : request.fresh()) {
            if (!VALUES_AND_HEADERS.contains(t.kind()) || !t.containsAny(GLUE_CHARS[0], GLUE_CHARS[1])
                    || !mayHaveInnerGlue(t.value())) continue;
            String piece = gluedCommand(t.value());
            if (piece != null) {
                out.add(new io.requestflow.firewall.waf.Match("RCE-215", CRITICAL, t.location(), piece));
                return;
            }
        }
    }

    /** The first piece of {@code v} that the shell joins into a command name, or null. */
    public static String gluedCommand(String v) {
        for (String piece : gluedPieces(v)) {
            if (!INNER_GLUE.matcher(piece).find() || oddQuotes(piece)) continue; // I'd is not id
            String word = GLUE_PATTERN.matcher(piece).replaceAll("").replaceAll("[0-9.]+$", "");
            if (COMMAND_WORDS.contains(word)) return piece;
        }
        return null;
    }

    /** What {@code while (GLUED_WORD.matcher(v).find())} visits, in order. */
    public static List<String> gluedPieces(String v) {
        List<String> pieces = new java.util.ArrayList<>();
        java.util.regex.Matcher m = GLUED_WORD.matcher(v).useTransparentBounds(true).useAnchoringBounds(false);
        int from = 0;
        for (int p = 0; p < v.length(); p++) {
            // a try inside a run of word characters fails when the try at the run's start failed (the
            // run is matched by the leading [a-z0-9._-]* either way, and no GLUE piece starts with a
            // word character), so only the search start and positions after a non-word character are tried
            if (p > from && wordChar(v.charAt(p - 1))) continue;
            // and a try can only succeed when the run is followed by the first character of a GLUE piece
            int q = p;
            while (q < v.length() && wordChar(v.charAt(q))) q++;
            if (q == v.length() || !glueStart(v.charAt(q))) continue;
            m.region(p, v.length());
            if (!m.lookingAt()) continue;
            pieces.add(m.group());
            from = m.end();
            p = from - 1;
        }
        return pieces;
    }

    /**
     * RCE-215's necessary condition: a piece counts only if INNER_GLUE finds in it, and every match of
     * INNER_GLUE starts with a letter or digit followed by the first character of a GLUE alternative
     * ({@code $ < > ' " \\}); a piece is part of the value, so the value holds that pair too.
     */
    public static boolean mayHaveInnerGlue(String v) {
        for (int i = 1; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '$' || c == '<' || c == '>' || c == '\'' || c == '"' || c == '\\') {
                char p = v.charAt(i - 1);
                if ((p >= 'a' && p <= 'z') || (p >= '0' && p <= '9')) return true;
            }
        }
        return false;
    }

    /** The characters a GLUE piece starts with. */
    private static boolean glueStart(char c) {
        return c == '$' || c == '<' || c == '>' || c == '\'' || c == '"' || c == '\\';
    }

    /** The characters of GLUED_WORD's runs, {@code [a-z0-9._-]}: none of them starts a GLUE piece. */
    private static boolean wordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    }

    private static boolean oddQuotes(String s) {
        int single = 0, dbl = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\'') single++;
            else if (s.charAt(i) == '"') dbl++;
        }
        return single % 2 == 1 || dbl % 2 == 1;
    }

    private static final long[] GLUE_CHARS = io.requestflow.firewall.waf.Target.maskOf("$<>'\"\\");

    @Override
    public String prefix() {
        return "RCE";
    }
}
