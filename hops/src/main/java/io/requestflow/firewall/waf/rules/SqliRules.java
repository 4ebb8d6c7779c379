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
    /** Built-in functions of the common SQL dialects (our own list), as a regex alternation. */
    static final String SQL_FUNCTIONS = "(?:abs|acos|ascii|asin|atan2?|avg|benchmark|bin|bit_length|cast|ceil|ceiling|"
            + "char|char_length|character_length|charindex|chr|coalesce|compress|concat|concat_ws|conv|convert|cos|cot|"
            + "count|crc32|curdate|current_date|current_time|current_timestamp|current_user|curtime|database|date|"
            + "date_add|date_format|date_sub|datediff|day|dayname|dayofmonth|dayofweek|dayofyear|decode|default|"
            + "degrees|div|elt|encode|exp|export_set|extract|extractvalue|field|find_in_set|floor|format|"
            + "from_unixtime|greatest|group_concat|hex|hour|if|ifnull|iif|in|inet_aton|insert|instr|isnull|"
            + "json_\\w+|last_insert_id|lcase|least|left|len|length|ln|load_file|local|localtime|locate|log|log10|"
            + "log2|lo_\\w+|lower|lpad|ltrim|make_set|max|md5|mid|min|minute|mod|month|name_const|now|nullif|oct|ord|"
            + "password|pi|position|pow|power|quarter|quote|radians|rand|repeat|replace|reverse|right|round|rpad|"
            + "rtrim|schema|second|sha1?|sha2|sign|sin|sleep|soundex|space|sqrt|std|strcmp|substr|substring|"
            + "substring_index|sum|sysdate|tan|time|timestamp|trim|truncate|ucase|uncompress|unhex|upper|user|"
            + "uuid|values|version|week|xmltype|year)";


    /** SQL comments removed: one function object, so the rules that read this view share it per value. */
    /** Comments need "/*": a value without '*' is its own view. */
    private static final java.util.function.UnaryOperator<String> SQL_VIEW =
            new io.requestflow.firewall.waf.QuietView("*", false, Normalizer::stripSqlComments);

    public SqliRules() {
        super(List.of(
                of("SQLI-110", 1, CRITICAL, "\\b(?:sleep|benchmark|pg_sleep|randomblob|dbms_lock\\.sleep|"
                        + "dbms_pipe\\.receive_message)\\s*\\(|\\bwaitfor\\s+(?:delay|time)\\b", ARGS_AND_HEADERS,
                        SQL_VIEW).when(anyOf("(", "waitfor")),
                of("SQLI-120", 1, CRITICAL, "\\bunion\\b[\\s(]*(?:all|distinct)?[\\s(]*\\bselect\\b",
                        ARGS_AND_HEADERS, SQL_VIEW).when(anyOf("union")),
                of("SQLI-130", 1, CRITICAL, "@@(?:version|datadir|hostname|basedir)|\\binformation_schema\\b|"
                        + "\\bmysql\\.(?:user|db)\\b|\\bsys(?:objects|columns|databases|logins)\\b|\\bpg_(?:catalog|shadow"
                        + "|user|database)\\b|\\bsqlite_(?:master|schema)\\b|\\bxp_cmdshell\\b|\\bsp_(?:executesql|"
                        + "oacreate|makewebtask|password)\\b|\\butl_(?:http|inaddr|file)\\b|\\bload_file\\s*\\(|"
                        + "\\binto\\s+(?:out|dump)file\\b|\\bopenrowset\\s*\\(|\\bdbms_\\w+\\.\\w+|\\b(?:tempdb|msdb|northwind|sysibm|"
                        + "master\\.\\.)\\b|\\b(?:database|schema|version|current_user|user)\\s*\\(\\s*\\)|"
                        + "[\\d)\"'`]\\s*as\\s+[\"'`]?\\w+[\"'`]?\\s+from\\b", ARGS_AND_HEADERS,
                        SQL_VIEW).when(anyOf("@@", "information_schema", "mysql.", "sys", "pg_", "sqlite_", "xp_", "sp_", "utl_", "load_file", "into", "openrowset", "dbms_", "tempdb", "msdb", "northwind", "master.", "()", "from")),
                of("SQLI-140", 1, CRITICAL, "['\"`)\\d]\\s*(?:or|and|xor|\\|\\||&&)\\s+['\"`(]*\\s*(\\w+)\\s*['\"`)]*"
                        + "\\s*(?:=|<=>|\\blike\\b|\\bis\\b)\\s*['\"`(]*\\s*\\1\\b", ARGS_AND_HEADERS,
                        SQL_VIEW).when(anyChar("'\"`)0123456789")).when(SqliRules::mayJoinAfterLiteral),
                of("SQLI-150", 1, CRITICAL, "/\\*!\\d*\\s*(?:select|union|and|or|\\d)|;\\s*(?:drop|truncate|delete|"
                        + "insert|update|alter|create|shutdown|exec|execute|declare|grant)\\s+(?:table|database|from|"
                        + "into|\\w+\\s+set|user|@|master|xp_|sp_)", ARGS_AND_HEADERS).when(anyOf("/*!", ";")),
                of("SQLI-160", 1, CRITICAL, "\\b(?:extractvalue|updatexml|name_const|geometrycollection|multipoint|"
                        + "polygon|linestring|exp)\\s*\\(.*(?:select|concat|0x|@@|char\\()|\\bfloor\\s*\\(\\s*rand\\s*\\(|"
                        + "\\bcase\\s+when\\b.*\\bthen\\b|\\bif\\s*\\(.*,\\s*sleep\\s*\\(", ARGS_AND_HEADERS,
                        SQL_VIEW).when(anyOf("(", "case")),
                of("SQLI-165", 1, CRITICAL, "\\)\\s*::\\s*(?:int|integer|text|varchar|jsonb?|bigint|bool|numeric|"
                        + "regclass)\\b|['\")]\\s*::\\s*[a-z]+|\\s(?:<@|@>|\\?\\||\\?&|#>>?)\\s*'", ARGS_AND_HEADERS,
                        SQL_VIEW).when(anyOf("::", "<@", "@>", "?|", "?&", "#>")),
                of("SQLI-166", 1, CRITICAL, "\\bselect\\s*(?:\\*|@@|\\(|\\d+\\s*,|null\\s*,|top\\s+\\d|"
                        + "distinct\\b|char\\s*\\()|\\bexec(?:ute)?\\s+(?:master|xp_|sp_|\\(|@)|\\bdeclare\\s+@|"
                        + "\\bset\\s+@\\w+\\s*=|\\bin\\s*\\(\\s*select\\b|union.{0,20}?select.{0,40}?from|"
                        + "\\b(?:and|or|xor|&&|\\|\\|)\\s*\\(*\\s*(?:select|exists)\\b\\s*\\(?|[=<>]\\s*\\(\\s*select\\b|"
                        + ";\\s*(?:--|#)|'\\s*;\\s*(?:--|#|$)|\\$where\\b|\\$ne\\b|\\$gt\\b|\\$regex\\b",
                        ARGS_AND_HEADERS, SQL_VIEW)
                        .when(anyOf("select", "exec", "declare", "set", "union", "exists", ";", "$")),
                // a value that ends by opening a SQL function call: the probe "length(" or "if (" of a fuzzer
                of("SQLI-230", 1, CRITICAL, "\\b" + SQL_FUNCTIONS + "[^\\w(]{0,6}\\(\\s*$", ARGS_AND_HEADERS)
                        .when(v -> v.stripTrailing().endsWith("(")),
                // a boolean operator chained onto a comparison whose right side is SQL-ish or missing:
                // "and 2771=1709)", "|| langcode == '", "&&(l=!0)", "or 120=121="
                of("SQLI-220", 1, CRITICAL, "(?:\\b(?:and|or|xor)\\b|&&|\\|\\|)\\s*\\(*\\s*!?[\\w.$@]+\\s*"
                        + "(?:!==?|<>|<=>|===?|=|<|>)\\s*(?:$|[\\d'\"`(!@-]|null\\b|true\\b|false\\b)",
                        ARGS_AND_HEADERS, SQL_VIEW).when(anyChar("=<>")).when(SqliRules::hasBooleanOperator),
                // a quote, then a boolean operator, then a word and an operator: "' or abc!", "'or 12356789<"
                of("SQLI-222", 1, CRITICAL, "['\"`]\\s*(?:or|xor|and|\\|\\||&&)\\s+['\"`]?\\w+['\"`]?\\s*"
                        + "(?:[<>!=^]|\\s\\d+\\s*$)", ARGS_AND_HEADERS, SQL_VIEW)
                        .when(anyChar("'\"`")),
                // a quote glued to a boolean operator: "a'or'a", "\'and", "'''or 1", "x'or?--"
                of("SQLI-224", 1, CRITICAL, "[\\w\\\\'\"]['\"](?:or|and|xor)(?:['\"(?]|\\s+\\d|\\s*(?:--|#|$))|"
                        + "\\\\['\"]\\s*(?:or|and|xor)\\b|'{2,}\\s*(?:or|and|xor)\\b", ARGS_AND_HEADERS)
                        .when(anyChar("'\"")),
                // stacked statements glued to a semicolon, session variables, dynamic SQL, routines
                of("SQLI-226", 1, CRITICAL, ";(?:drop|truncate|alter|shutdown|exec|declare|replace)\\b|(?:^|;)\\s*set\\s+@|"
                        + "\\bexecute\\s+immediate\\b|\\bcreate\\s+(?:or\\s+replace\\s+)?function\\b.*\\breturns\\b|"
                        + "\\bprocedure\\s+analyse\\b|\\bselect\\s+(?:pg_sleep|0x[0-9a-f]+)\\b|\\bexcept\\s+(?:select|values)\\b|"
                        + ";\\s*select\\b|['\"`]\\s*union\\b|\\bvalues\\s*\\(\\s*['\"\\d]", ARGS_AND_HEADERS,
                        SQL_VIEW).when(anyOf(";", "execute", "create", "procedure", "select", "except",
                                "union", "set", "values")),
                // SQL syntax that prose does not have: inline comments glued to keywords or splitting words,
                // optimizer hints, scientific-notation tricks, conditions on literals
                of("SQLI-228", 1, CRITICAL, "\\b(?:select|union|from|where|drop|insert|update|delete|table|order|group|"
                        + "having|exec|and|or)\\s*/\\*[^*]*\\*/|/\\*[^*]*\\*/\\s*(?:select|union|from|where|drop|table)\\b|"
                        + "[a-z]/\\*\\*/[a-z]|/\\*\\s*\\+|\\b(?:or|and)\\s+\\d+\\s*#|\\b(?:or|and)\\s*--|"
                        + "[\\u2018\\u2019\\u00b4]\\s*(?:or|and|union)\\b.*(?:--|#|/\\*|=)|\\b\\d\\.e[(.][a-z]|"
                        + "\\)\\s*(?:like|rlike|regexp)\\s*\\(|\\bif\\s*\\(\\s*\\d+\\s*[=<>]|\\bhaving\\s+\\w+\\s*\\(|"
                        + "\\)\\s*when\\b|\\bwhen\\s+\\d+\\s+then\\b|\\blike\\s*['\"]\\s*$|\\\\0x[0-9a-f]|"
                        + "['\"`]\\s*(?:/\\*.*?\\*/\\s*)?;\\s*$|~\\s*(?:all|any)\\s*\\(|['\"]\\s*\\|\\|\\s*(?:true|false|null|\\d)\\b",
                        ARGS_AND_HEADERS).when(anyChar("/#-(')\"`;~\u2018\u2019\u00b4\\.$")),
                // JSON and cast operators after a quoted literal: '{"a":1}' -> '$.a', '[1]' ? '1', x::int
                of("SQLI-232", 1, CRITICAL, "['\"]\\s*(?:->>?|#>>?|\\?[|&]?|@>|<@)\\s*(?:'|array\\s*\\[)|"
                        + "\\w\\s*::\\s*(?:int|integer|text|varchar|bigint|numeric|regclass|bool|json|jsonb)\\b",
                        ARGS_AND_HEADERS).when(anyChar("'\":")),
                // operators of NoSQL (MongoDB) queries as keys or values
                of("SQLI-234", 1, CRITICAL, "(?:^|[\\[{\"',\\s])\\$(?:where|ne|gt|gte|lt|lte|regex|nin|in|not|nor|or|and|"
                        + "exists|elemmatch|text|expr|type|size|all|eq|mod|jsonschema)\\b", ARGS_AND_HEADERS)
                        .when(anyChar("$")),
                // objects and drivers only an attacker names (Access system tables, OLE DB providers, extended
                // procedures) and numbers that overflow 32/64-bit integers or hang floating-point parsers
                of("SQLI-236", 1, CRITICAL, "\\bmsys(?:accessobjects|accessstorage|objects|queries|relationships)\\b|"
                        + "\\bschema_name\\b|\\b(?:xp|sp)_[a-z]{4,}\\b|\\bopen(?:rowset|datasource|query)\\b|\\b(?:msdasql|"
                        + "sqloledb|msdaora)\\b|(?:^|[^\\d.])(?:4294967296|4294967295|2147483648|9223372036854775808|"
                        + "18446744073709551616|2\\.2250738585072011e-308)(?:$|[^\\d])", ARGS_AND_HEADERS)
                        .when(anyOf("msys", "schema_name", "xp_", "sp_", "open", "msdasql", "sqloledb", "msdaora",
                                "4294967", "2147483648", "9223372036854775808", "18446744073709551616", "2.225")),
                // a whole value that is nothing but a SQL operator, an operator test or a clause (no data means
                // that): "<=>", "rlike", "is null", "order by", and membership in a numeric list "in (0,1)"
                of("SQLI-239", 1, CRITICAL, "^\\s*(?:<<|>>|&&|\\|\\||!=|<=>|<=|>=|<>|==|->>?|xor|regexp|rlike|ilike|"
                        + "(?:not\\s+)?like\\s+null|is\\s+(?:not\\s+)?null|notnull|isnull|(?:order|group)\\s+by)\\s*$|"
                        + "\\bin\\s*\\(\\s*-?\\d+\\s*,\\s*-?\\d+", ARGS_AND_HEADERS)
                        .when(v -> v.length() <= 24 || v.indexOf('(') >= 0),
                // conditions that are true or false by construction: 1=1, 42<=>42, 11!=1, '1'='1'
                of("SQLI-240", 1, CRITICAL, "(?:^|[\\s,(])(\\d+)\\s*(?:=|<=>|\\blike\\b)\\s*\\1(?:$|[\\s,)])|"
                        + "(?:^|[\\s,(])(\\d+)\\s*(?:!=|<>)\\s*(?!\\2(?:$|[\\s,)]))\\d+(?:$|[\\s,)])|(['\"])(\\w+)\\3\\s*=\\s*\\3\\4\\3",
                        ARGS_AND_HEADERS).when(v -> mayBeLiteralTautology(v) && hasNumberOrQuote(v)),
                // a fragment that is only a SQL operator or an operator test: "<=>", "rlike", "is null", "in (0,1)"
                of("SQLI-238", 2, CRITICAL, "^\\s*(?:<<|>>|&&|\\|\\||!=|<=>|<=|>=|<>|==|->>?|xor|regexp|rlike|ilike|"
                        + "(?:not\\s+)?like\\s+null|is\\s+(?:not\\s+)?null|notnull|isnull)\\s*$|\\bin\\s*\\(\\s*[-\\w]+\\s*,|"
                        + "\\b(?:and|or|xor)\\s*\\(?\\s*$|\\bn?varchar\\b|\\bnot\\s+similar\\s+to\\b|"
                        + "^\\s*" + SQL_FUNCTIONS + "\\s*\\([^()]*\\)\\s*$|(?:^|[\\s,(])(\\w+)\\s*(?:=|<=>|!=|\\blike\\b)\\s*\\1"
                        + "(?:\\s|$|[),])", ARGS_AND_HEADERS),
                of("SQLI-170", 2, CRITICAL, "\\b(?:concat(?:_ws)?|group_concat|char|chr|ascii|substring|substr|mid|"
                        + "hex|unhex|cast|convert|ord|md5|sha1|version|database|user|schema|current_user|"
                        + "system_user|session_user|length|count|coalesce|ifnull|nullif|instr|locate|lpad|rpad|"
                        + "reverse|concat)\\s*\\(", ARGS_AND_HEADERS, SQL_VIEW),
                of("SQLI-180", 2, CRITICAL, "\\b(?:select\\b.{1,100}?\\bfrom|insert\\s+into|delete\\s+from|update\\b.{1,60}?"
                        + "\\bset\\b|drop\\s+(?:table|database|user)|create\\s+(?:table|user|function|procedure)|"
                        + "alter\\s+table|truncate\\s+table|order\\s+by\\s+\\d|group\\s+by\\b.{0,30}\\bhaving)\\b",
                        ARGS_AND_HEADERS, SQL_VIEW),
                of("SQLI-190", 2, CRITICAL, "\\b0x[0-9a-f]{6,}\\b|\\bx'[0-9a-f]{4,}'|/\\*.*\\*/|\\b(?:or|and)\\b\\s*"
                        + "['\"]?\\s*\\d+\\s*['\"]?\\s*[=<>]|['\"]\\s*(?:--|#)|\\bhaving\\b\\s*\\d|\\border\\s+by\\b",
                        ARGS_AND_HEADERS),
                of("SQLI-200", 3, CRITICAL, "(?:['\"`´’‘]\\s*[);]|[;)]\\s*['\"`´’‘]|--\\s*$|#\\s*$|"
                        + "\\b(?:select|union|insert|update|delete|drop|where|from|having|exec)\\b.*['\"`;()=])",
                        ARGS_AND_HEADERS),
                of("SQLI-210", 4, Severity.WARNING, "(?:[~!@#$%^&*()\\-+={}\\[\\]|:;\"'´’‘`<>].*){6}",
                        java.util.EnumSet.of(Target.Kind.ARG, Target.Kind.COOKIE))));
    }

    /**
     * SQLI-240's necessary condition: its first alternative needs "=" or a number, blanks and "like";
     * the second "!=" or "<>"; the third "=". So a value without "=" or "<>" can match only where a
     * "like" follows a digit and blanks ({@code \s}): prose ("like gecko") skips the back-referencing regex.
     */
    public static boolean mayBeLiteralTautology(String v) {
        if (v.indexOf('=') >= 0 || v.contains("<>")) return true;
        for (int i = v.indexOf("like"); i >= 0; i = v.indexOf("like", i + 1)) {
            int j = i - 1;
            while (j >= 0 && isBlank(v.charAt(j))) j--;
            if (j >= 0 && v.charAt(j) >= '0' && v.charAt(j) <= '9') return true;
        }
        return false;
    }

    /**
     * SQLI-220's necessary condition: its match starts with "&&", "||" or one of the words and, or, xor
     * between word boundaries ({@code \b}), so neither neighbour of that word is an ASCII letter, digit or '_'.
     */
    public static boolean hasBooleanOperator(String v) {
        return v.contains("&&") || v.contains("||") || hasWord(v, "and") || hasWord(v, "or") || hasWord(v, "xor");
    }

    /**
     * SQLI-140's necessary condition: a quote, backquote, ')' or ASCII digit, blanks ({@code \s}), then
     * or, and, xor, "||" or "&&".
     */
    public static boolean mayJoinAfterLiteral(String v) {
        for (String op : new String[] {"or", "and", "xor", "||", "&&"}) {
            for (int i = v.indexOf(op); i >= 0; i = v.indexOf(op, i + 1)) {
                int j = i - 1;
                while (j >= 0 && isBlank(v.charAt(j))) j--;
                if (j < 0) continue;
                char c = v.charAt(j);
                if (c == '\'' || c == '"' || c == '`' || c == ')' || (c >= '0' && c <= '9')) return true;
            }
        }
        return false;
    }

    /**
     * SQLI-240's other necessary condition: its first two alternatives start with an ASCII digit at the
     * start or after a blank, ',' or '('; the third with a quote.
     */
    public static boolean hasNumberOrQuote(String v) {
        if (v.indexOf('\'') >= 0 || v.indexOf('"') >= 0) return true;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c >= '0' && c <= '9') {
                if (i == 0) return true;
                char p = v.charAt(i - 1);
                if (isBlank(p) || p == ',' || p == '(') return true;
            }
        }
        return false;
    }

    /** {@code word} occurs with no ASCII letter, digit or '_' right before or after it. */
    private static boolean hasWord(String v, String word) {
        for (int i = v.indexOf(word); i >= 0; i = v.indexOf(word, i + 1)) {
            int end = i + word.length();
            if ((i == 0 || !asciiWord(v.charAt(i - 1))) && (end == v.length() || !asciiWord(v.charAt(end)))) return true;
        }
        return false;
    }

    private static boolean asciiWord(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
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
        for (Target t : request.fresh()) {
            if (!ARGS_AND_HEADERS.contains(t.kind())) continue;
            String value = t.view(SQL_VIEW);
            // most values are their own SQL view (no '*'): then the target's character masks describe it
            boolean own = value == t.value();
            if (!strictFired) {
                String fp = own ? SqliDetector.detect(value, false, t.charsLo(), t.charsHi(), t.nonAscii())
                        : SqliDetector.detect(value, false);
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
                String fp = own ? SqliDetector.detect(value, true, t.charsLo(), t.charsHi(), t.nonAscii())
                        : SqliDetector.detect(value, true);
                if (fp != null) {
                    out.add(new Match("SQLI-101", CRITICAL, t.location(), "fingerprint " + fp));
                    looseFired = true;
                }
            }
        }
        super.inspect(request, paranoia, out);
    }
}
