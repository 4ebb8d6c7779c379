package io.requestflow.firewall.waf;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.requestflow.engine.http.Request;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rules added for corpus coverage, on payloads written here (variants of the attack shapes, not the
 * corpus's strings) and on ordinary text that must pass: each rule fires on its shape at level 1, and
 * nothing fires on the prose next to it.
 */
class CoverageRulesTest {
    private final Waf waf = new Waf(WafConfig.defaults().withParanoia(1).withAuditLog(""));

    private static Request get(String value) {
        HttpHeaders h = browserHeaders();
        return new Request("GET", "/search?q=" + URLEncoder.encode(value, StandardCharsets.UTF_8), h, new byte[0],
                new InetSocketAddress("198.51.100.7", 40000));
    }

    private static Request withHeader(String name, String value) {
        HttpHeaders h = browserHeaders();
        h.set(name, value);
        return new Request("GET", "/", h, new byte[0], new InetSocketAddress("198.51.100.7", 40000));
    }

    private static HttpHeaders browserHeaders() {
        HttpHeaders h = new DefaultHttpHeaders();
        h.set("host", "shop.example");
        h.set("user-agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0");
        h.set("accept", "text/html,application/xhtml+xml,*/*;q=0.8");
        h.set("accept-language", "en-GB,en;q=0.5");
        return h;
    }

    private List<String> rules(Request r) {
        return waf.inspect(r).matches().stream().map(Match::ruleId).toList();
    }

    private void fires(String rule, String... values) {
        for (String v : values) assertThat(rules(get(v))).as(v).contains(rule);
    }

    @Test
    void sqlShapesBeyondTheTokenizer() {
        fires("SQLI-230", "substring(", "rtrim (", "user/?(", "quarter.(");
        fires("SQLI-220", "x and 77=78)", "|| userName == '", "&&(flag!=1)", "or 5=6=");
        fires("SQLI-222", "' xor abc<", "\" or 987654>");
        fires("SQLI-224", "b'or'b", "\\'and 2", "''' or 7");
        fires("SQLI-226", ";truncate foo", "set @x=1", "execute immediate 'x'", "\" union (", "values ('a', 'b')");
        fires("SQLI-228", "sel/**/ect", "drop/*x*/users", "or 7#", "/*+ index(t) */", "1.e(version)");
        fires("SQLI-232", "'{\"k\":1}' ->> 'k'", "id::text");
        fires("SQLI-234", "{\"$gte\": 1}", "[$nin]");
        fires("SQLI-236", "msysobjects", "xp_regwrite", "opendatasource", "4294967295");
        fires("SQLI-239", "<=>", "is not null", "in (3, 4)");
        fires("SQLI-240", "7=7", "3 != 4", "'a'='a'");
    }

    @Test
    void commandShapesAndHeaders() {
        fires("RCE-200", "ansible-playbook x.yml", "apt-get install nmap", "chef-client -z");
        fires("RCE-210", "x=wget&&$x http://h/s");
        fires("RCE-215", "w$@get h/s", "ch'm'od 777 f", "un$()ame -a");
        fires("RCE-220", "() { :; }", "alias ll=rm", "{cat,/etc/hosts}", "sh<<<id", "find . -exec rm {} +");
        fires("RCE-225", "1;.system id", "x\n.tables");
        fires("RCE-230", "a\r\nRCPT TO:<x@y>", "a\r\nb12 FETCH 1", "a\r\nRETR 7");
        fires("RCE-235", "x;uname", "a|whoami");
        // a value that starts with a Windows tool: every tool of the regex is in its literal pre-check too
        fires("RCE-110", "regedit /s evil.reg", "bcdboot c:\\windows", "whoami /all");
        assertThat(rules(withHeader("user-agent", "uname -a"))).contains("RCE-205");
        assertThat(rules(withHeader("referer", "https://x.example/?a=env -i"))).contains("RCE-205");
    }

    @Test
    void phpJavaScriptAndProtocolShapes() {
        fires("PHP-155", "array_map (", "str_rot13('x')", "file_get_contents/**/('x')");
        fires("PHP-157", "unpack('x')", "serialize#\n()");
        fires("PHP-162", "('exec')('id')", "[passthru][0]('id')");
        fires("PHP-167", "$f[1](2)", "${x}(1)");
        fires("GEN-117", "http://host.docker.internal/x", "api.svc.cluster.local");
        fires("GEN-118", "http:0x7f000001", "gopher:/2130706433");
        fires("GEN-165", "while(1)");
        fires("GEN-126", "x)|(mail=*");
        fires("XSS-175", "<s c r i p t>");
        fires("XSS-180", "(window)['alert'](1)");
        fires("XSS-185", "+!![]");
        fires("LFI-125", "/sys/kernel/debug", "site.tar.gz");
        HttpHeaders h = browserHeaders();
        h.set("content-type", "text/plain; boundary=x");
        assertThat(rules(new Request("POST", "/", h, "a".getBytes(), new InetSocketAddress("198.51.100.7", 1))))
                .contains("PROTO-167");
        assertThat(rules(withHeader("accept", "text/html;charset=utf-7"))).contains("PROTO-168");
        assertThat(rules(withHeader("x-filename", "notes. phtml"))).contains("PHP-175");
        assertThat(rules(withHeader("x-filename", "/tmp/sess_0123456789abcdef"))).contains("PHP-176");
    }

    @Test
    void everydayTextPassesAtLevelOne() {
        for (String prose : new String[] {"I'd rather pay more; box was crushed", "Rock 'n' roll or jazz - both fine",
                "Size S and M = perfect fit", "Costs $5 (with tax)", "Great product!! 10/10", "Tom & Jerry DVD",
                "Order by phone: 555-0100", "from home where I work", "It's a 'classic' or x-large", "if (you can) buy",
                "Count (3) items", "That's 2 \"O\"s", "D'Angelo's date night", "union jack cushion", "select comfort",
                "Chef Ramsay knives", "Set of 4 (2 red, 2 blue)", "v2.0 vs v3.1 - compared", "~5 kg",
                "user@example.com", "https://example.org/~anna", "My password is: y$4gSvBFtu", "C:\\Users\\anna",
                "Dear team,\r\nQuick question about my order.\r\nThanks", "Top 10 gifts", "Price: 12,50 €"}) {
            assertThat(rules(get(prose))).as(prose).isEmpty();
        }
    }
}
