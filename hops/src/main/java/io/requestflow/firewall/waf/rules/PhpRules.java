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

/** PHP injection: open tags, stream wrappers, ini directives, superglobals, dangerous calls, object injection. */
public final class PhpRules extends PatternFamily {
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
                        + "compress\\.bzip2)://", ARGS_AND_HEADERS).when(anyOf("://")),
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
                of("PHP-200", 2, CRITICAL, "\\b" + FUNCTIONS + "\\s*\\(", ARGS).when(anyChar("(")),
                of("PHP-210", 3, CRITICAL, "\\$[a-z_]\\w*|\\b(?:echo|print|die|exit|isset|empty|unset|list|"
                        + "array|new|function|return|global|static|class|abstract|namespace|use)\\b\\s*[(\"'$]",
                        ARGS).when(anyChar("$(\"'"))));
    }

    private static final java.util.regex.Pattern PHP_FILE = java.util.regex.Pattern.compile(
            "\\.(?:php\\d*|phtml|phar|pht|phps|inc|hphp|ctp|module)(?:\\.|$)");

    /** File names announced in upload headers (X-Filename and friends) as well as in multipart parts. */
    @Override
    public void inspect(io.requestflow.firewall.waf.Inspection request, int paranoia,
                        List<io.requestflow.firewall.waf.Match> out) {
        super.inspect(request, paranoia, out);
        for (String h : new String[] {"x-filename", "x_filename", "x-file-name"}) {
            String v = request.header(h);
            if (v != null && PHP_FILE.matcher(v.toLowerCase(java.util.Locale.ROOT).trim()).find()) {
                out.add(new io.requestflow.firewall.waf.Match("PHP-175", CRITICAL, "HEADER:" + h, "php file name"));
                return;
            }
        }
    }

    @Override
    public String prefix() {
        return "PHP";
    }
}
