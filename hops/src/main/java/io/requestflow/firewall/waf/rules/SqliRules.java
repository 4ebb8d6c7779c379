package io.requestflow.firewall.waf.rules;

import io.requestflow.firewall.waf.Inspection;
import io.requestflow.firewall.waf.Match;
import io.requestflow.firewall.waf.Severity;
import io.requestflow.firewall.waf.Target;
import io.requestflow.firewall.waf.normalize.Normalizer;
import io.requestflow.firewall.waf.sqli.SqlFunctions;
import io.requestflow.firewall.waf.sqli.SqliDetector;

import java.util.List;

import static io.requestflow.firewall.waf.Severity.CRITICAL;
import static io.requestflow.firewall.waf.rules.PatternRule.ARGS_AND_HEADERS;
import static io.requestflow.firewall.waf.rules.PatternRule.anyChar;
import static io.requestflow.firewall.waf.rules.PatternRule.anyOf;
import static io.requestflow.firewall.waf.rules.PatternRule.of;

/** SQL injection: the token-shape detector first, then patterns for what shapes alone cannot see. */
public final class SqliRules extends PatternFamily {

    public SqliRules() {
        super(List.of(
                of("SQLI-110", 1, CRITICAL, "\\b(?:sleep|benchmark|pg_sleep|randomblob|dbms_lock\\.sleep|"
                        + "dbms_pipe\\.receive_message)\\s*\\(|\\bwaitfor\\s+(?:delay|time)\\b", ARGS_AND_HEADERS,
                        Normalizer::stripSqlComments).when(anyOf("(", "waitfor")),
                of("SQLI-120", 1, CRITICAL, "\\bunion\\b[\\s(]*(?:all|distinct)?[\\s(]*\\bselect\\b",
                        ARGS_AND_HEADERS, Normalizer::stripSqlComments).when(anyOf("union")),
                of("SQLI-130", 1, CRITICAL, "@@(?:version|datadir|hostname|basedir)|\\binformation_schema\\b|"
                        + "\\bmysql\\.(?:user|db)\\b|\\bsys(?:objects|columns|databases|logins)\\b|\\bpg_(?:catalog|shadow"
                        + "|user|database)\\b|\\bsqlite_(?:master|schema)\\b|\\bxp_cmdshell\\b|\\bsp_(?:executesql|"
                        + "oacreate|makewebtask|password)\\b|\\butl_(?:http|inaddr|file)\\b|\\bload_file\\s*\\(|"
                        + "\\binto\\s+(?:out|dump)file\\b|\\bopenrowset\\s*\\(|\\bdbms_\\w+\\.\\w+|\\b(?:tempdb|msdb|northwind|sysibm|"
                        + "master\\.\\.)\\b|\\b(?:database|schema|version|current_user|user)\\s*\\(\\s*\\)|"
                        + "[\\d)\"'`]\\s*as\\s+[\"'`]?\\w+[\"'`]?\\s+from\\b", ARGS_AND_HEADERS,
                        Normalizer::stripSqlComments).when(anyOf("@@", "information_schema", "mysql.", "sys", "pg_", "sqlite_", "xp_", "sp_", "utl_", "load_file", "into", "openrowset", "dbms_", "tempdb", "msdb", "northwind", "master.", "()", "from")),
                of("SQLI-140", 1, CRITICAL, "['\"`)\\d]\\s*(?:or|and|xor|\\|\\||&&)\\s+['\"`(]*\\s*(\\w+)\\s*['\"`)]*"
                        + "\\s*(?:=|<=>|\\blike\\b|\\bis\\b)\\s*['\"`(]*\\s*\\1\\b", ARGS_AND_HEADERS,
                        Normalizer::stripSqlComments).when(anyChar("'\"`)0123456789")),
                of("SQLI-150", 1, CRITICAL, "/\\*!\\d*\\s*(?:select|union|and|or|\\d)|;\\s*(?:drop|truncate|delete|"
                        + "insert|update|alter|create|shutdown|exec|execute|declare|grant)\\s+(?:table|database|from|"
                        + "into|\\w+\\s+set|user|@|master|xp_|sp_)", ARGS_AND_HEADERS).when(anyOf("/*!", ";")),
                of("SQLI-160", 1, CRITICAL, "\\b(?:extractvalue|updatexml|name_const|geometrycollection|multipoint|"
                        + "polygon|linestring|exp)\\s*\\(.*(?:select|concat|0x|@@|char\\()|\\bfloor\\s*\\(\\s*rand\\s*\\(|"
                        + "\\bcase\\s+when\\b.*\\bthen\\b|\\bif\\s*\\(.*,\\s*sleep\\s*\\(", ARGS_AND_HEADERS,
                        Normalizer::stripSqlComments).when(anyOf("(", "case")),
                of("SQLI-165", 1, CRITICAL, "\\)\\s*::\\s*(?:int|integer|text|varchar|jsonb?|bigint|bool|numeric|"
                        + "regclass)\\b|['\")]\\s*::\\s*[a-z]+|\\s(?:<@|@>|\\?\\||\\?&|#>>?)\\s*'", ARGS_AND_HEADERS,
                        Normalizer::stripSqlComments).when(anyOf("::", "<@", "@>", "?|", "?&", "#>")),
                of("SQLI-166", 1, CRITICAL, "\\bselect\\s*(?:\\*|@@|\\(|\\d+\\s*,|null\\s*,|top\\s+\\d|"
                        + "distinct\\b|char\\s*\\()|\\bexec(?:ute)?\\s+(?:master|xp_|sp_|\\(|@)|\\bdeclare\\s+@|"
                        + "\\bset\\s+@\\w+\\s*=|\\bin\\s*\\(\\s*select\\b|union.{0,20}?select.{0,40}?from|"
                        + "\\b(?:and|or|xor|&&|\\|\\|)\\s*\\(*\\s*(?:select|exists)\\b\\s*\\(?|[=<>]\\s*\\(\\s*select\\b|"
                        + ";\\s*(?:--|#)|'\\s*;\\s*(?:--|#|$)|\\$where\\b|\\$ne\\b|\\$gt\\b|\\$regex\\b",
                        ARGS_AND_HEADERS, Normalizer::stripSqlComments)
                        .when(anyOf("select", "exec", "declare", "set", "union", "exists", ";", "$")),
                of("SQLI-170", 2, CRITICAL, "\\b(?:concat(?:_ws)?|group_concat|char|chr|ascii|substring|substr|mid|"
                        + "hex|unhex|cast|convert|ord|md5|sha1|version|database|user|schema|current_user|"
                        + "system_user|session_user|length|count|coalesce|ifnull|nullif|instr|locate|lpad|rpad|"
                        + "reverse|concat)\\s*\\(", ARGS_AND_HEADERS, Normalizer::stripSqlComments),
                of("SQLI-180", 2, CRITICAL, "\\b(?:select\\b.{1,100}?\\bfrom|insert\\s+into|delete\\s+from|update\\b.{1,60}?"
                        + "\\bset\\b|drop\\s+(?:table|database|user)|create\\s+(?:table|user|function|procedure)|"
                        + "alter\\s+table|truncate\\s+table|order\\s+by\\s+\\d|group\\s+by\\b.{0,30}\\bhaving)\\b",
                        ARGS_AND_HEADERS, Normalizer::stripSqlComments),
                of("SQLI-190", 2, CRITICAL, "\\b0x[0-9a-f]{6,}\\b|\\bx'[0-9a-f]{4,}'|/\\*.*\\*/|\\b(?:or|and)\\b\\s*"
                        + "['\"]?\\s*\\d+\\s*['\"]?\\s*[=<>]|['\"]\\s*(?:--|#)|\\bhaving\\b\\s*\\d|\\border\\s+by\\b",
                        ARGS_AND_HEADERS),
                of("SQLI-200", 3, CRITICAL, "(?:['\"`´’‘]\\s*[);]|[;)]\\s*['\"`´’‘]|--\\s*$|#\\s*$|"
                        + "\\b(?:select|union|insert|update|delete|drop|where|from|having|exec)\\b.*['\"`;()=])",
                        ARGS_AND_HEADERS),
                of("SQLI-210", 4, Severity.WARNING, "(?:[~!@#$%^&*()\\-+={}\\[\\]|:;\"'´’‘`<>].*){6}",
                        java.util.EnumSet.of(Target.Kind.ARG, Target.Kind.COOKIE))));
    }

    @Override
    public String prefix() {
        return "SQLI";
    }

    @Override
    public void inspect(Inspection request, int paranoia, List<Match> out) {
        boolean strictFired = false;
        boolean looseFired = false;
        boolean functionFired = false;
        for (Target t : request.targets()) {
            if (!ARGS_AND_HEADERS.contains(t.kind())) continue;
            String value = Normalizer.stripSqlComments(t.value());
            if (!strictFired) {
                String fp = SqliDetector.detect(value, false);
                if (fp != null) {
                    out.add(new Match("SQLI-100", CRITICAL, t.location(), "fingerprint " + fp));
                    strictFired = true;
                    continue;
                }
            }
            if (!functionFired) {
                String call = SqlFunctions.suspiciousCall(value);
                if (call != null) {
                    out.add(new Match("SQLI-164", CRITICAL, t.location(), call + "("));
                    functionFired = true;
                }
            }
            if (paranoia >= 2 && !looseFired) {
                String fp = SqliDetector.detect(value, true);
                if (fp != null) {
                    out.add(new Match("SQLI-101", CRITICAL, t.location(), "fingerprint " + fp));
                    looseFired = true;
                }
            }
        }
        super.inspect(request, paranoia, out);
    }
}
