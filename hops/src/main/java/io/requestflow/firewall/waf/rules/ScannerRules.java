package io.requestflow.firewall.waf.rules;

import io.requestflow.firewall.waf.Inspection;
import io.requestflow.firewall.waf.Match;
import io.requestflow.firewall.waf.RuleFamily;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.requestflow.firewall.waf.Severity.CRITICAL;

/** Known security scanners and attack tools, by the names they put in their headers. */
public final class ScannerRules implements RuleFamily {
    private static final Pattern TOOLS = Pattern.compile("\\b(?:nikto|sqlmap|nmap|masscan|acunetix|nessus|openvas|w3af|"
                + "dirbuster|gobuster|dirb|wpscan|zgrab|nuclei|havij|arachni|zmeu|netsparker|appscan|webinspect|"
                + "paros|skipfish|wfuzz|ffuf|feroxbuster|jaeles|whatweb|commix|xsser|fimap|hydra|medusa|jbrofuzz|"
                + "grendel-scan|morfeus|fuzz faster u fool|nmap scripting engine|burpcollaborator|qualys|"
                + "bsqlbf|pangolin|sqlninja|absinthe|brutus|webshag|vega|wapiti|n-stealth|nsauditor|"
                + "metasploit|struts-pwn|sf-scanner|crimscanner|cgichk|dotdotpwn|blackwidow|webvulnscan|"
                + "mysqloit|detectify|evilscanner|httpx-scanner|interact\\.sh|zap/|owasp zap|\\(hydra\\)|"
                + "teh forest lobster|jorgee|masscan-ng|s[i1]lly scanner)\\b");

    /** Tools name themselves in User-Agent; only that header is worth the alternation's cost. */
    @Override
    public void inspect(Inspection request, int paranoia, List<Match> out) {
        String ua = request.header("user-agent");
        if (ua == null) return;
        Matcher m = TOOLS.matcher(ua.toLowerCase(java.util.Locale.ROOT));
        if (m.find()) out.add(new Match("SCAN-100", CRITICAL, "HEADER:user-agent", m.group()));
    }

    @Override
    public String prefix() {
        return "SCAN";
    }
}
