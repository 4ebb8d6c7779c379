package io.requestflow.firewall.waf.rules;

import io.requestflow.firewall.waf.Target;

import java.util.EnumSet;
import java.util.List;

import static io.requestflow.firewall.waf.Severity.CRITICAL;
import static io.requestflow.firewall.waf.rules.PatternRule.ARGS;
import static io.requestflow.firewall.waf.rules.PatternRule.ARGS_AND_HEADERS;
import static io.requestflow.firewall.waf.rules.PatternRule.ARGS_AND_PATH;
import static io.requestflow.firewall.waf.rules.PatternRule.anyChar;
import static io.requestflow.firewall.waf.rules.PatternRule.anyOf;
import static io.requestflow.firewall.waf.rules.PatternRule.of;

/** PHP injection: open tags, stream wrappers, ini directives, superglobals, dangerous calls, object injection. */
public final class PhpRules extends PatternFamily {
    /** Optional whitespace and comments (PHP allows them) before a call's opening parenthesis. */
    private static final String CALL = "(?:\\s|/\\*.*?\\*/|#[^\\n]*\\n|//[^\\n]*\\n)*\\(";
    /** PHP's view of a value: comments and whitespace between tokens removed ({@link Views#phpCode}). */
    static final java.util.function.UnaryOperator<String> PHP_CODE = new io.requestflow.firewall.waf.QuietView("(", false,
            s -> s.indexOf('(') < 0 ? s : Views.phpCode(s));
    private static final String FUNCTIONS = "(?:eval|assert|system|exec|shell_exec|passthru|popen|proc_open|"
            + "pcntl_exec|phpinfo|base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|create_function|"
            + "call_user_func(?:_array)?|preg_replace|file_get_contents|file_put_contents|fopen|fwrite|fputs|"
            + "unserialize|highlight_file|show_source|array_map|array_filter|usort|uasort|ini_set|ini_get|"
            + "getenv|putenv|move_uploaded_file|symlink|readfile|fsockopen|pfsockopen|curl_exec|curl_init|"
            + "posix_\\w+|dl|mb_ereg_replace|register_shutdown_function|register_tick_function|"
            + "set_error_handler|ob_start|phpversion|php_uname|get_current_user|getcwd|scandir|glob|"
            + "opendir|readdir|unlink|rename|copy|chmod|mkdir|rmdir|touch|parse_str|extract|"
            + "var_dump|print_r|var_export|debug_zval_dump|get_defined_vars|convert_uudecode|hex2bin|"
            + "str_replace|strrev|chr|ord|file|fread|fgets|stream_get_contents|iterator_apply|array_walk)";

    public PhpRules() {
        super(List.of(
                of("PHP-100", 1, CRITICAL, "<\\?(?!xml\\b)(?:php\\b|=|\\s|$)|<\\?php|\\[\\?php|<%=?\\s|\\[/?php\\]", ARGS).when(anyChar("<[")),
                of("PHP-110", 1, CRITICAL, "\\b(?:php|phar|zlib|glob|expect|zip|rar|ogg|ssh2|compress\\.zlib|"
                        + "compress\\.bzip2|ssh2\\.(?:shell|exec|tunnel|sftp|scp))://", ARGS_AND_HEADERS).when(anyOf("://")),
                of("PHP-120", 1, CRITICAL, "\\b(?:allow_url_include|allow_url_fopen|auto_prepend_file|auto_append_file|"
                        + "disable_functions|open_basedir|safe_mode|register_globals|suhosin\\.\\w+|"
                        + "display_errors|error_reporting|file_uploads|enable_dl|magic_quotes_gpc|"
                        + "session\\.save_path|include_path|upload_tmp_dir|max_execution_time|"
                        + "memory_limit|output_buffering|short_open_tag|sendmail_path|mail\\.add_x_header)\\s*=",
                        ARGS).when(anyChar("=")),
                of("PHP-130", 1, CRITICAL, "\\$_(?:get|post|cookie|request|server|files|env|session)\\b|\\$globals\\b|"
                        + "\\$http_(?:get|post|cookie|server|raw_post_data)_vars|\\$php_self|\\$http_raw_post_data",
                        ARGS_AND_HEADERS).when(anyChar("$")),
                of("PHP-140", 1, CRITICAL, "\\b" + FUNCTIONS + "\\s*(?:\\(|/\\*|#|//)[\\s\\S]*\\)", ARGS).when(anyChar("(")),
                of("PHP-150", 1, CRITICAL, "(?:^|[;{}|&\\s])[oc]:\\d+:\"[^\"]+\":\\d+:\\{|(?:^|[;{}|&\\s])a:\\d+:\\{"
                        + "(?:[sidbon]:)", ARGS_AND_HEADERS).when(anyChar("{")),
                of("PHP-160", 1, CRITICAL, "\\$\\{?[a-z_][\\w]*\\}?\\s*(?:\\[[^\\]]*\\]\\s*)*\\([^)]*\\)|"
                        + "[\"'][a-z_]+[\"']\\s*(?:\\.\\s*[\"'][a-z_]+[\"']\\s*)*\\)?\\s*\\([^)]*\\)\\s*;|"
                        + "\\(\\s*['\"][a-z_]+['\"]\\s*\\)\\s*\\(", ARGS).when(anyChar("(")),
                of("PHP-145", 1, CRITICAL, "(?:call_user_func(?:_array)?|fsockopen|pfsockopen|bzdecompress|gzinflate|"
                        + "gzuncompress|str_rot13|base64_decode|shell_exec|proc_open|popen|passthru|pcntl_exec|"
                        + "create_function|assert_options|phpinfo|posix_[a-z_]+|highlight_file|show_source|"
                        + "file_put_contents|move_uploaded_file|preg_replace_callback|array_map|unserialize)\\s*\\(",
                        ARGS_AND_HEADERS).when(anyChar("(")),
                of("PHP-165", 1, CRITICAL, "\\$[a-z_\\x7f-\\xff][\\w\\x7f-\\xff]*\\s*(?:(?:\\[[^\\]]*\\]|\\{[^}]*\\})\\s*)*"
                        + "(?:/\\*.*?\\*/\\s*)*\\(|\\(\\s*[a-z_.()\\s'\"]+\\)\\s*\\(\\s*['\"]|\\{\\s*\\[\\w+\\]\\s*\\[\\d+\\]\\s*\\}"
                        + "\\s*\\(", ARGS).when(anyChar("(")),
                of("PHP-170", 1, CRITICAL, "\\.(?:php\\d*|phtml|phar|pht|phps|inc|hphp|ctp|module)(?:\\.|$)",
                        EnumSet.of(Target.Kind.ARG)).when(anyOf(".ph", ".inc", ".ctp", ".module", ".hphp")),
                of("PHP-180", 1, CRITICAL, "\\b(?:include|require)(?:_once)?\\s*[(\"'\\s]\\s*['\"]?[\\w./\\\\:-]+", ARGS).when(anyOf("include", "require")),
                // template-engine PHP tags and ill-formed processing instructions: {php}, [\php], <?xml :echo
                of("PHP-102", 1, CRITICAL, "\\{/?php\\}|\\[\\\\?/?php\\]|<\\?xml\\s*:\\s*[a-z_]", ARGS).when(anyChar("{[<")),
                // ini directives set from input (our list of engine, extension and module settings)
                of("PHP-122", 1, CRITICAL, "^\\s*(?:(?:opcache|mbstring|session|zend|pcre|xdebug|mysqli?|pdo_\\w+|phar|assert|"
                        + "date|apc|apcu|mail|sqlite3|soap|zlib|url_rewriter)\\.[a-z_.]+|engine|extension|extension_dir|"
                        + "precision|smtp|smtp_port|unserialize_max_depth|serialize_precision|zend_extension|"
                        + "user_ini\\.filename|auto_detect_line_endings|default_charset|html_errors|log_errors|"
                        + "error_log|expose_php|variables_order|request_order|max_input_vars|post_max_size|"
                        + "upload_max_filesize)\\s*=", ARGS).when(anyChar("=")),
                // variable variables with spaces or quoted names: $ {'x'}, ${'a'.'b'}
                of("PHP-135", 1, CRITICAL, "\\$\\s+\\{|\\$\\{\\s*['\"]", ARGS_AND_HEADERS).when(anyChar("$")),
                // calls of PHP extension functions (snake_case names with an extension prefix), comments allowed
                // between the name and the parenthesis
                of("PHP-155", 1, CRITICAL, "\\b(?:array|str|file|ldap|odbc|sodium|tidy|date|mb|preg|curl|gz|zlib|posix|pcntl|"
                        + "proc|stream|socket|ftp|mysqli?|pg|sqlite|openssl|hash|get|set|is|func|call|ini|session|ob|xml|"
                        + "json|iconv|ctype|filter|image|intl|class|method|property|function|var|apache|dba|exif|gmp|bc|"
                        + "ssh2|xmlrpc|zend|opcache|apcu?|debug|error|highlight|php|escapeshell|restore|register|libxml|"
                        + "simplexml|dom|iterator|shm|sem|msg|readline|bz|zip|rar|mcrypt|yaml|runkit|uopz|spl|fsockopen|"
                        + "html|url|base64|quoted|convert|parse|http|fastcgi|fpm|opendir|gethostby|dns|inet|pcre)"
                        + "_[a-z0-9_]+" + CALL, ARGS_AND_PATH, PHP_CODE).when(anyChar("(")),
                // calls of PHP functions that are not English words
                of("PHP-157", 1, CRITICAL, "\\b(?:substr|unpack|pack|s?printf|vsprintf|intval|floatval|checkdate|chroot|chdir|"
                        + "serialize|crypt|filegroup|fileowner|fileperms|filemtime|gzdecode|gzencode|gzinflate|strrev|"
                        + "ucfirst|lcfirst|implode|explode|strlen|strtolower|strtoupper|urldecode|rawurldecode|"
                        + "htmlspecialchars|hex2bin|bin2hex|chgrp|chown|fputcsv|fgetcsv|fputs|readfile|dirname|basename|"
                        + "realpath|tempnam|tmpfile|putenv|getenv|ereg|eregi|gethostbyname|checkdnsrr|getmxrr|"
                        + "mt_rand|uniqid|microtime|strtotime|mktime|gmdate|ctype_\\w+|compact|extract|settype|gettype|"
                        + "unlink|symlink|readlink|tmpfile|popen|pclose|fflush|ftruncate|flock|fnmatch|glob|sleep|"
                        + "usleep|die|exit|eval|assert|system|passthru|shell_exec|exec|phpinfo|gzdeflate|gzcompress)"
                        + CALL, ARGS_AND_PATH, PHP_CODE).when(anyChar("(")),
                // a dangerous function reached through a string, array or parenthesised name:
                // (system)(ls), [system][0](ls), (['system'])[0]('uname'), "system"(x), ($y)('id'), (x)('uname')
                of("PHP-162", 1, CRITICAL, "[(\\[\"']\\s*\\[?\\s*['\"]?(?:system|exec|shell_exec|passthru|eval|assert|popen|"
                        + "proc_open|phpinfo|pcntl_exec)['\"]?\\s*\\]?\\s*[)\\]\"']\\s*(?:\\[\\s*\\d+\\s*\\]\\s*|\\{\\s*\\d+\\s*\\}\\s*|\\)\\s*)*\\(|"
                        + "\\(\\s*\\$?[a-z_]\\w*\\s*\\)\\s*(?:\\[\\s*\\d+\\s*\\]\\s*)*\\(\\s*['\"$@]|"
                        + "['\"][a-z_]{1,8}['\"]\\s*\\.\\s*['\"][a-z_]{1,8}['\"]", ARGS, PHP_CODE).when(anyChar("(['\"")),
                // a variable called as a function once comments and line breaks are gone: $__[$_[1]](7), ${@_.__}(31)
                of("PHP-167", 1, CRITICAL, "\\$(?:[a-z_]\\w*|\\{[^}]*\\})(?:\\[[^\\]]*\\]|\\{[^}]*\\})*\\(", ARGS, PHP_CODE)
                        .when(anyChar("$")),
                of("PHP-200", 2, CRITICAL, "\\b" + FUNCTIONS + "\\s*\\(", ARGS).when(anyChar("(")),
                of("PHP-210", 3, CRITICAL, "\\$[a-z_]\\w*|\\b(?:echo|print|die|exit|isset|empty|unset|list|"
                        + "array|new|function|return|global|static|class|abstract|namespace|use)\\b\\s*[(\"'$]",
                        ARGS).when(anyChar("$(\"'"))));
    }

    private static final java.util.regex.Pattern PHP_FILE = java.util.regex.Pattern.compile(
            "\\.(?:php\\d*|phtml|phar|pht|phpt|phps|inc|hphp|ctp|module)(?:\\.|$)");
    /** PHP's own session files (sess_ and the session id), which an upload must never overwrite. */
    private static final java.util.regex.Pattern SESSION_FILE = java.util.regex.Pattern.compile(
            "(?:^|[/\\\\])sess_[\\w,-]{8,}$");
    /** Configuration and credential files an upload must never create or overwrite. */
    private static final java.util.regex.Pattern CONFIG_FILE = java.util.regex.Pattern.compile(
            "(?:^|[/\\\\])(?:\\.[\\w-]*rc|\\.boto|\\.htaccess|\\.htpasswd|\\.env|\\.git\\w*|\\.npmrc|\\.pypirc|\\.netrc|"
                    + "\\.bash_\\w+|\\.profile|\\.user\\.ini|mtrr|acpi|wp-config[\\w.-]*|config\\.ya?ml|settings\\.(?:py|ya?ml|json)|"
                    + "web\\.config|php\\.ini|crontab|authorized_keys|id_(?:rsa|dsa|ecdsa|ed25519)\\w*)$");
    private static final String[] FILE_NAME_HEADERS = {"x-filename", "x_filename", "x.filename", "x-file-name"};

    /**
     * File names announced in upload headers (X-Filename and friends) and multipart parts, read with
     * whitespace removed ("photo. php" is stored as photo.php by some servers): PHP files and session files.
     */
    @Override
    public void inspect(io.requestflow.firewall.waf.Inspection request, int paranoia,
                        List<io.requestflow.firewall.waf.Match> out) {
        super.inspect(request, paranoia, out);
        for (String h : FILE_NAME_HEADERS) {
            String v = request.header(h);
            if (v != null && uploadFileMatch(request, out, "HEADER:" + h, v)) return;
        }
        for (Target t : request.fresh()) {
            if (t.kind() == Target.Kind.ARG && t.name().startsWith("FILES:")
                    && uploadFileMatch(request, out, t.location(), t.raw())) return;
        }
    }

    private static boolean uploadFileMatch(io.requestflow.firewall.waf.Inspection request,
                                           List<io.requestflow.firewall.waf.Match> out, String where, String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT).replaceAll("\\s+", "");
        if (PHP_FILE.matcher(n).find()) {
            out.add(new io.requestflow.firewall.waf.Match("PHP-175", CRITICAL, where, "php file name"));
            return true;
        }
        if (CONFIG_FILE.matcher(n).find()) {
            out.add(new io.requestflow.firewall.waf.Match("PHP-177", CRITICAL, where, "configuration file name"));
            return true;
        }
        if (SESSION_FILE.matcher(n).find()) {
            out.add(new io.requestflow.firewall.waf.Match("PHP-176", CRITICAL, where, "session file name"));
            return true;
        }
        return false;
    }

    @Override
    public String prefix() {
        return "PHP";
    }
}
