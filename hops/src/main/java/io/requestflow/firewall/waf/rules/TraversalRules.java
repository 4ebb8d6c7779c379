package io.requestflow.firewall.waf.rules;

import io.requestflow.firewall.waf.Target;

import java.util.EnumSet;
import java.util.List;

import static io.requestflow.firewall.waf.Severity.CRITICAL;
import static io.requestflow.firewall.waf.rules.PatternRule.ARGS;
import static io.requestflow.firewall.waf.rules.PatternRule.ARGS_AND_HEADERS;
import static io.requestflow.firewall.waf.rules.PatternRule.anyChar;
import static io.requestflow.firewall.waf.rules.PatternRule.anyOf;
import static io.requestflow.firewall.waf.rules.PatternRule.of;

/** Path traversal and local file inclusion: dot-dot sequences (also encoded) and well-known sensitive files. */
public final class TraversalRules extends PatternFamily {
    private static final String OS_FILES = "(?:etc/(?:passwd|shadow|group|gshadow|hosts|hostname|issue|motd|"
            + "crontab|sudoers|fstab|mtab|profile|bashrc|environment|resolv\\.conf|network|security|ssh/|"
            + "httpd|apache2|nginx|mysql|php|init\\.d|rc\\.d|master\\.passwd|pwd\\.db|spwd\\.db|"
            + "redhat-release|debian_version|lsb-release|os-release|inittab|aliases|exports|ld\\.so|"
            + "cron|pam\\.d|xinetd|syslog|hosts\\.(?:allow|deny)|krb5|machine-id|openvpn|ppp|samba|shells)|"
            + "proc/(?:self|\\d+)/(?:environ|cmdline|fd|maps|status|mem|exe|cwd|root|stat)|proc/(?:version|"
            + "cpuinfo|meminfo|mounts|net/)|var/log/|var/(?:lib|run|spool|mail|www)/|usr/local/|"
            + "root/|home/[^/]+/\\.|\\.ssh/(?:id_|authorized_keys|known_hosts)|\\.bash_(?:history|profile|logout)|"
            + "\\.(?:zsh|mysql|psql|php|python|node_repl)_history|\\.aws/credentials|\\.docker/config|\\.kube/config|"
            + "\\.git/(?:config|head|index|logs)|\\.gitconfig|\\.netrc|\\.pgpass|\\.my\\.cnf|\\.htpasswd|\\.htaccess|"
            + "\\.env\\b|wp-config\\.php|web\\.config|boot\\.ini|win\\.ini|system\\.ini|windows/(?:system32|win\\.ini|"
            + "repair|panther|debug)|winnt/|inetpub/|system32/|sam\\b.*config|ntuser\\.dat|autoexec\\.bat|"
            + "/dev/(?:tcp|udp|null|zero|random|shm)|/bin/|/sbin/|/usr/bin/|/opt/|/tmp/)";

    /** Backslashes read as slashes, runs of slashes as one. */
    /** Only a backslash or a run of slashes changes: a value with neither character is its own view. */
    private static final java.util.function.UnaryOperator<String> SLASHES =
            new io.requestflow.firewall.waf.QuietView("\\/", false, Views::slashes);

    public TraversalRules() {
        super(List.of(
                // encodings of ../ seen in the raw target: overlong UTF-8, %u forms, double encoding
                of("LFI-100", 1, CRITICAL, "%(?:c0%(?:ae|af|9v|2f|5c|80%af)|c1%(?:1c|9c|8s|pc)|e0%80%af|"
                        + "f0%80%80%af|25(?:2e|2f|5c|c0|c1)|u(?:002e|2215|2216|ff0e|ff0f|2044)|2e%2e)|\\.%2e|%2e\\.|"
                        + "\\.\\.%(?:2f|5c|c0|c1|e0|255c|252f|u2215)", EnumSet.of(Target.Kind.URI, Target.Kind.BODY)).when(anyChar("%")),
                of("LFI-110", 1, CRITICAL, "(?:^|[\\\\/;])\\.{2,3}[\\\\/;]|(?:^|[\\\\/])\\.{2,3}$|[\\\\/]\\.{2,3}[\\\\/]",
                        EnumSet.of(Target.Kind.ARG, Target.Kind.ARG_NAME, Target.Kind.COOKIE, Target.Kind.HEADER,
                                Target.Kind.PATH, Target.Kind.BODY)).when(anyOf("..")),
                of("LFI-120", 1, CRITICAL, "(?:^|[\\\\/.=\\s'\"]|file:/*|\\.\\.)" + OS_FILES, ARGS_AND_HEADERS, SLASHES).when(anyOf("etc/", "proc/", "var/", "usr/", "root/", "home/", ".ssh", "_history", ".aws", ".docker", ".kube", ".git", ".netrc", ".pgpass", ".my.cnf", ".ht", ".env", "wp-config", "web.config", ".ini", "windows", "winnt", "inetpub", "system32", "sam", "ntuser", "autoexec", "dev/", "bin/", "opt/", "tmp/")),
                // kernel interfaces, container secrets and database/site backup archives
                of("LFI-125", 1, CRITICAL, "(?:^|[\\s=>'\"/])/?(?:sys/(?:class|kernel|module|devices|firmware|block|bus|fs|"
                        + "power)|proc/(?:interrupts|partitions|modules|kallsyms|sched_debug|diskstats|iomem|ioports|swaps|"
                        + "filesystems|devices|sys/))(?:/|$)|\\.docker/secrets?\\b|>\\s*/tmp/|"
                        + "\\b(?:backup|dump|database|db|site|www|htdocs)\\.(?:sql|tar|tgz|zip|gz|bak|7z|rar)"
                        + "(?:\\.(?:zip|gz|bz2|xz|7z|tar|rar))?$|0x5c0x2e|0x2e0x2e(?:0x2f|0x5c|/)",
                        ARGS_AND_HEADERS, SLASHES).when(anyOf("sys/", "proc/", ".docker", "/tmp", ".sql", ".tar", ".tgz",
                                ".zip", ".gz", ".bak", ".7z", ".rar", "0x")),
                of("LFI-130", 1, CRITICAL, "/(?:\\.git|\\.svn|\\.hg|\\.bzr|\\.env|\\.htaccess|\\.htpasswd|\\.ds_store|"
                        + "\\.aws|\\.docker|\\.ssh|\\.npmrc|\\.bash_history|web\\.config|wp-config\\.php|"
                        + "etc/passwd|etc/shadow|proc/self|\\.claude|\\.cursor|\\.continue|\\.vscode|\\.idea|\\.kube|"
                        + "\\.pypirc|\\.terraform|\\.gnupg|\\.config|\\.netrc|\\.pgpass|\\.git-credentials|\\.travis\\.yml|"
                        + "\\.gitlab-ci\\.yml|\\.circleci|\\.bashrc|\\.profile|\\.zshrc|\\.mcp\\.json|\\.windsurf|\\.aider)(?:/|$|\\.)|"
                        + "/\\.(?!well-known(?:/|$))[a-z0-9_][a-z0-9_.-]*(?:/|$)", EnumSet.of(Target.Kind.PATH)).when(anyChar(".p")),
                of("LFI-140", 2, CRITICAL, "(?:^|[\\\\/])\\.\\.|\\.\\.[\\\\/]|\\.(?:ini|conf|cnf|cfg|log|bak|old|"
                        + "sql|pem|key|crt|p12|pfx|jks|kdbx)$", ARGS).when(anyChar("."))));
    }

    @Override
    public String prefix() {
        return "LFI";
    }
}
