package io.requestflow.firewall.waf.rules;

import java.util.List;

import static io.requestflow.firewall.waf.Severity.CRITICAL;
import static io.requestflow.firewall.waf.rules.PatternRule.ARGS;
import static io.requestflow.firewall.waf.rules.PatternRule.ARGS_AND_HEADERS;
import static io.requestflow.firewall.waf.rules.PatternRule.ARGS_AND_PATH;
import static io.requestflow.firewall.waf.rules.PatternRule.EVERYWHERE;
import static io.requestflow.firewall.waf.rules.PatternRule.anyChar;
import static io.requestflow.firewall.waf.rules.PatternRule.anyOf;
import static io.requestflow.firewall.waf.rules.PatternRule.of;

/** Attacks on the application platform: Node.js injection, SSRF targets, prototype pollution, Perl/Ruby eval. */
public final class GenericRules extends PatternFamily {

    public GenericRules() {
        super(List.of(
                of("GEN-100", 1, CRITICAL, "\\brequire\\s*\\(\\s*['\"`](?:child_process|fs|net|http|https|vm|os|"
                        + "process|cluster|dgram|worker_threads)['\"`]|\\bprocess\\s*\\.\\s*(?:mainmodule|binding|env|exit|"
                        + "kill|dlopen)\\b|\\bchild_process\\b|\\bglobal\\s*\\.\\s*process|\\b(?:spawn|exec|execfile|"
                        + "fork)(?:sync)?\\s*\\(\\s*['\"`]|\\bfs\\s*\\.\\s*(?:readfile|writefile|readdir|unlink)|"
                        + "\\bconstructor\\s*\\(\\s*['\"`]return|\\bnew\\s+function\\s*\\(|\\bthis\\.constructor\\b|"
                        + "_\\$\\$nd_func\\$\\$_|\\bmodule\\.exports\\b|\\bimport\\s*\\(\\s*['\"`]|__js_function|"
                        + "\\bfunction\\s*\\(\\s*\\)\\s*\\{|\\bwhile\\s*\\(\\s*!*\\s*[+-]?\\s*(?:false|true|0|1|\\[\\]|\"\"|''|infinity|"
                        + "this|\\{\\})\\s*\\)|\\bconsole\\s*\\.\\s*(?:log|info|warn|error|dir)\\s*\\(|"
                        + "\\bfor\\s*\\(\\s*;\\s*;\\s*\\)",
                        ARGS_AND_HEADERS).when(anyOf("require", "process", "global", "spawn", "exec", "fork", "fs", "constructor", "function", "module", "import", "_$$nd", "while", "for", "console")),
                of("GEN-110", 1, CRITICAL, "(?:^|[\\s'\"=(])[a-z][a-z0-9+.-]{1,10}://"
                        + "(?:[^/@\\s]*@)?\\[?(?:169\\.254(?:\\.\\d+){0,2}(?=[:/\\]]|$)|\\d{1,3}\\.\\d{5,}(?=[:/]|$)|metadata\\.google\\.internal|metadata\\.azure|"
                        + "100\\.100\\.100\\.200|fd00:ec2::254|localhost|127(?:\\.\\d+){1,3}|0(?:\\.0){0,3}(?=[:/\\]]|$)|"
                        + "0x[0-9a-f]{1,8}|0[0-7]{1,}(?:\\.\\d+)*|\\d{8,10}(?=[:/]|$)|::1?\\]|::ffff:|"
                        + "10(?:\\.\\d+){3}|192\\.168(?:\\.\\d+){2}|172\\.(?:1[6-9]|2\\d|3[01])(?:\\.\\d+){2}|"
                        + "[^/]*\\.(?:internal|local|localdomain|nip\\.io|xip\\.io|sslip\\.io))|(?:^|[\\s'\"=(])"
                        + "(?:gopher|dict|ldap|tftp|netdoc|jar)://", ARGS).when(anyOf("://")),
                of("GEN-115", 1, CRITICAL, "\\s*(?:localhost(?:\\.localdomain)?[46]?|127\\.0\\.0\\.1|0\\.0\\.0\\.0|\\[::1?\\]|"
                        + "169\\.254\\.169\\.254|metadata\\.google\\.internal|100\\.100\\.100\\.200)(?:[:/]|$)",
                        java.util.EnumSet.of(io.requestflow.firewall.waf.Target.Kind.ARG)).atStart()
                        .when(anyOf("localhost", "127.", "0.0.0.0", "[:", "169.254", "metadata", "100.100")),
                // names that resolve to this machine or its container/cluster neighbours, as a URL or a host
                of("GEN-117", 1, CRITICAL, "(?:^|[\\s'\"=(/@])(?:localhost\\d?(?:\\.localdomain\\d?)?|ipv6-localhost|"
                        + "ip6-(?:localhost|loopback)|(?:host|gateway|kubernetes)\\.docker\\.internal|"
                        + "host\\.containers\\.internal|[\\w.-]+\\.svc\\.cluster\\.local|(?:[\\w-]+\\.)?localtest\\.me|"
                        + "(?:[\\w-]+\\.)?lvh\\.me)(?=[:/?#\\]]|$)", PatternRule.ARGS).when(anyOf("local", "ip6-",
                                "internal", "cluster", "lvh.me")),
                // a URL scheme followed at once by a numeric address (no slashes, or one): http:2852039166,
                // http:0xa9fea9fe, http:[::ffff:a9fe:a9fe], http:/127.0.0.1
                of("GEN-118", 1, CRITICAL, "(?:^|[\\s'\"=(])[a-z][a-z0-9+.-]{1,10}:/?(?:\\d{6,}|0x[0-9a-f]{6,}|\\[[0-9a-f:.]+\\]|"
                        + "\\d{1,4}(?:\\.\\d{1,4}){3}|0\\d+(?:\\.\\d+)+)(?=[:/?#]|$)", PatternRule.ARGS).when(anyChar(":")),
                // a JavaScript loop with no way out, glued like code (prose puts a space before the parenthesis)
                of("GEN-165", 1, CRITICAL, "\\bwhile\\((?:!|\\(|true|1\\b|new\\s|string\\b|date\\b|number\\b|object\\b|"
                        + "array\\b)", ARGS_AND_HEADERS).when(anyOf("while(")),
                // property access to a global object by string key: process["env"], console["info"](1),
                // require[x], console.info.call(this)
                of("GEN-170", 1, CRITICAL, "\\b(?:process|require|console|global|globalthis|module)\\s*\\[|"
                        + "\\bconsole\\s*\\.\\s*\\w+\\s*\\.\\s*(?:call|apply|bind)\\s*\\(", ARGS_AND_HEADERS).when(anyOf("[",
                                "console")),
                // a data: URL handed to a parameter that fetches (any media type, not only the scriptable ones)
                of("GEN-119", 1, CRITICAL, "(?:^|[\\s'\"=(])data:[a-z]+/[\\w.+-]+(?:[;,]|$)", java.util.EnumSet.of(
                        io.requestflow.firewall.waf.Target.Kind.ARG, io.requestflow.firewall.waf.Target.Kind.ARG_NAME))
                        .when(anyOf("data:")),
                // ORM lookups inside a body no parser understood (JSON sent as text/plain)
                of("GEN-162", 1, CRITICAL, "\"[a-z0-9_]+__(?:[a-z0-9_]+__)*(?:i?startswith|i?endswith|i?contains|isnull|i?regex|"
                        + "i?exact|gte?|lte?|range|search)\"\\s*:", java.util.EnumSet.of(io.requestflow.firewall.waf.Target.Kind.BODY))
                        .when(anyOf("__")),
                of("GEN-160", 1, CRITICAL, "[a-z0-9]__(?:i?startswith|i?endswith|i?contains|contained_by|isnull|i?regex|"
                        + "i?exact|in|gte?|lte?|range|search|has_keys?|has_any_keys|overlap|year|month|day|week_day)$",
                        java.util.EnumSet.of(io.requestflow.firewall.waf.Target.Kind.ARG_NAME)).when(anyOf("__")),
                of("GEN-120", 1, CRITICAL, "__proto__|\\bconstructor\\s*(?:\\[\\s*['\"]?|\\.)\\s*prototype\\b",
                        ARGS_AND_PATH).when(anyOf("__proto__", "prototype")),
                of("GEN-130", 1, CRITICAL, "@\\{\\[.*\\]\\}|\\b(?:system|exec|open|eval|syscall|spawn|`)\\s*\\(?\\s*['\"]"
                        + "[^'\"]*(?:/bin/|\\bid\\b|\\bls\\b|\\bcat\\b|\\|)|\\bkernel\\.(?:exec|system|open|spawn)\\b|"
                        + "\\bio\\.popen\\b|\\bos\\.(?:system|popen|exec\\w*|spawn\\w*)\\s*\\(|\\bsubprocess\\.\\w+\\s*\\(|"
                        + "\\b__import__\\s*\\(|\\bimportlib\\b", ARGS_AND_HEADERS).when(anyOf("@{", "system", "exec", "open", "eval", "syscall", "spawn", "`", "kernel.", "os.", "subprocess", "import")),
                of("GEN-125", 1, CRITICAL, "\\)\\s*\\(\\s*[&|!]?\\s*[\\w-]*\\s*[~<>]?=|\\)\\s*\\(\\s*[&|!]\\s*\\)|"
                        + "\\*\\)\\s*\\(\\s*[&|]|\\(\\s*[&|]\\s*\\(\\s*[\\w-]+\\s*=", ARGS).when(anyChar(")")),
                of("GEN-150", 1, CRITICAL, "(?:^|[\\r\\n])\\s*(?:get|post|head|put|delete|options|trace|connect|patch)\\s+"
                        + "\\S+\\s+http/\\d|\\b(?:get|post|head|put|delete|options|trace|connect|patch)\\s+/\\S*\\s+http/1\\.[01]\\s*"
                        + "[\\r\\n]+\\s*[\\w-]+\\s*:|[\\r\\n]\\s*(?:content-type|content-length|set-cookie|location|refresh|"
                        + "transfer-encoding|x-xss-protection|access-control-[a-z-]+|http/\\d(?:\\.\\d)?|(?:set-)?cookie|host|via|"
                        + "remote-(?:addr|ip|host|user)|originating-ip|client-ip|true-client-ip|x-forwarded-[a-z]+|"
                        + "x-real-ip)\\s*[:\\s]",
                        ARGS_AND_HEADERS).when(anyOf("http/", "\r", "\n")),
                // line breaks where no client puts them: in an argument name or in the path
                of("GEN-152", 1, CRITICAL, "[\\r\\n]", java.util.EnumSet.of(io.requestflow.firewall.waf.Target.Kind.ARG_NAME,
                        io.requestflow.firewall.waf.Target.Kind.PATH)).when(anyChar("\r\n")),
                // more LDAP filter shapes: a value closing the filter and opening a negated, and-ed or or-ed one
                of("GEN-126", 1, CRITICAL, "\\)\\s*[&|!]\\s*\\(\\s*[\\w-]+\\s*[~<>]?=|\\)\\s*[&|!]?\\s*\\(\\s*[&|!]\\s*(?:$|\\))",
                        ARGS).when(anyChar(")")),
                // Apache mod_proxy's unix: socket syntax smuggled into a target (the URL after | is fetched)
                of("GEN-154", 1, CRITICAL, "\\bunix:[^|\\s]*\\|\\s*[a-z][a-z0-9+.-]*://", EVERYWHERE).when(anyOf("unix:")),
                of("GEN-140", 3, CRITICAL, "(?:^|[\\s'\"=(])(?:gopher|dict|ldap|file|ftp|https?)://", ARGS).when(anyOf("://"))));
    }

    @Override
    public String prefix() {
        return "GEN";
    }
}
