package io.requestflow.firewall.waf.sqli;

import java.util.Set;

/**
 * SQL function calls that have no business in user input: a single pass finds each {@code name(} and
 * looks the name up, instead of trying a long regex alternation at every position. Database-specific
 * functions count on their own; common ones (char, substring, ...) only with SQL inside their arguments.
 */
public final class SqlFunctions {
    private static final Set<String> STRONG = Set.of("find_in_set", "starts_with", "group_concat", "concat_ws",
            "load_file", "extractvalue", "updatexml", "make_set", "export_set", "current_setting", "benchmark",
            "sleep", "pg_sleep", "name_const", "db_name", "schema_name", "object_id", "object_name", "col_name",
            "has_dbaccess", "is_srvrolemember", "suser_sname", "suser_name", "sqlite_version",
            "sqlite_compileoption_get", "sqlite_compileoption_used", "randomblob", "json_extract", "json_keys",
            "json_object", "json_build_object", "jsonb_pretty", "json_agg", "jsonb_agg", "json_array",
            "geometrycollection", "multipoint", "polygon", "linestring", "multilinestring", "multipolygon",
            "pg_read_file", "pg_ls_dir", "pg_read_binary_file", "xp_cmdshell", "xp_dirtree", "utl_http.request",
            "utl_inaddr.get_host_name", "dbms_pipe.receive_message", "dbms_lock.sleep", "dbms_xmlgen.getxml",
            "current_database", "current_schema", "session_user", "system_user", "user_name", "waitfor",
            "procedure analyse", "unhex", "uuid_short", "master_pos_wait", "get_lock", "release_lock");
    private static final Set<String> WEAK = Set.of("char", "chr", "ascii", "hex", "md5", "sha1", "sha2", "substring",
            "substr", "mid", "ord", "rand", "floor", "count", "concat", "cast", "convert", "version", "database",
            "user", "length", "lower", "upper", "reverse", "replace", "if", "iif", "ifnull", "nullif", "coalesce",
            "elt", "field", "left", "right", "instr", "locate", "position", "trim", "lpad", "rpad", "abs", "exp");

    private SqlFunctions() {}

    /** The suspicious function name called in {@code v} (normalised, lower case), or null. */
    public static String suspiciousCall(String v) {
        int from = 0;
        int paren;
        while ((paren = v.indexOf('(', from)) >= 0) {
            from = paren + 1;
            int end = paren;
            while (end > 0 && v.charAt(end - 1) == ' ') end--;
            int start = end;
            while (start > 0 && isWordChar(v.charAt(start - 1))) start--;
            if (start == end) continue;
            String name = v.substring(start, end);
            if (STRONG.contains(name) || name.startsWith("pg_") || name.startsWith("xp_") || name.startsWith("sqlite_")
                    || name.startsWith("dbms_") || name.startsWith("utl_") || name.startsWith("jsonb_")
                    || name.startsWith("lo_")) {
                return name;
            }
            if (WEAK.contains(name) && sqlInside(v, paren + 1)) return name;
        }
        return null;
    }

    /** Arguments that carry SQL: a subquery, a variable, hex, another char(), or a closing paren chained on. */
    private static boolean sqlInside(String v, int from) {
        int close = v.indexOf(')', from);
        String args = close < 0 ? v.substring(from) : v.substring(from, close);
        if (args.contains("select") || args.contains("from ") || args.contains("@@") || args.contains("0x")
                || args.contains("char(")) {
            return true;
        }
        if (close < 0) return false;
        int i = close + 1;
        while (i < v.length() && v.charAt(i) == ' ') i++;
        return i < v.length() && "=<>|&+,".indexOf(v.charAt(i)) >= 0 && (args.indexOf('\'') >= 0
                || args.indexOf('"') >= 0 || args.indexOf(',') >= 0);
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '.';
    }
}
