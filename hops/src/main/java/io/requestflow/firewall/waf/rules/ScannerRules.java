package io.requestflow.firewall.waf.rules;

import io.requestflow.firewall.waf.Target;

import java.util.EnumSet;
import java.util.List;

import static io.requestflow.firewall.waf.Severity.CRITICAL;
import static io.requestflow.firewall.waf.rules.PatternRule.of;

/** Known security scanners and attack tools, by the names they put in their headers. */
public final class ScannerRules extends PatternFamily {

    public ScannerRules() {
        super(List.of(of("SCAN-100", 1, CRITICAL, "\\b(?:nikto|sqlmap|nmap|masscan|acunetix|nessus|openvas|w3af|"
                + "dirbuster|gobuster|dirb|wpscan|zgrab|nuclei|havij|arachni|zmeu|netsparker|appscan|webinspect|"
                + "paros|skipfish|wfuzz|ffuf|feroxbuster|jaeles|whatweb|commix|xsser|fimap|hydra|medusa|jbrofuzz|"
                + "grendel-scan|morfeus|fuzz faster u fool|nmap scripting engine|burpcollaborator|qualys|"
                + "bsqlbf|pangolin|sqlninja|absinthe|brutus|webshag|vega|wapiti|n-stealth|nsauditor|"
                + "metasploit|struts-pwn|sf-scanner|crimscanner|cgichk|dotdotpwn|blackwidow|webvulnscan|"
                + "mysqloit|detectify|evilscanner|httpx-scanner|interact\\.sh|zap/|owasp zap|\\(hydra\\)|"
                + "teh forest lobster|jorgee|masscan-ng|s[i1]lly scanner)\\b",
                EnumSet.of(Target.Kind.HEADER))));
    }

    @Override
    public String prefix() {
        return "SCAN";
    }
}
