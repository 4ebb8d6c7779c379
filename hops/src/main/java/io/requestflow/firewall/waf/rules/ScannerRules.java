package io.requestflow.firewall.waf.rules;

import io.requestflow.firewall.waf.Inspection;
import io.requestflow.firewall.waf.Match;
import io.requestflow.firewall.waf.RuleFamily;

import java.util.List;
import java.util.Set;

import static io.requestflow.firewall.waf.Severity.CRITICAL;

/** Known security scanners and attack tools, by the names they put in their headers. */
public final class ScannerRules implements RuleFamily {
    /** Tools that name themselves with one word in their User-Agent. */
    private static final Set<String> TOOLS = Set.of("nikto", "sqlmap", "nmap", "masscan", "acunetix", "nessus",
            "openvas", "w3af", "dirbuster", "gobuster", "dirb", "wpscan", "zgrab", "nuclei", "havij", "arachni", "zmeu",
            "netsparker", "appscan", "webinspect", "paros", "skipfish", "wfuzz", "ffuf", "feroxbuster", "jaeles",
            "whatweb", "commix", "xsser", "fimap", "hydra", "medusa", "jbrofuzz", "grendel-scan", "morfeus",
            "burpcollaborator", "bsqlbf", "pangolin", "sqlninja", "absinthe", "brutus", "webshag", "wapiti",
            "n-stealth", "nsauditor", "metasploit", "struts-pwn", "sf-scanner", "crimscanner", "cgichk", "dotdotpwn",
            "blackwidow", "webvulnscan", "mysqloit", "detectify", "evilscanner", "jorgee", "masscan-ng", "zap",
            "qualys", "vega", "interactsh");
    /** Tools whose name is several words. */
    private static final List<String> PHRASES = List.of("fuzz faster u fool", "nmap scripting engine", "owasp zap",
            "teh forest lobster", "silly scanner", "s1lly scanner", "interact.sh");

    /** User-Agents of 512 characters at most that named no tool: the verdict depends on nothing else. */
    private final String[] cleanAgents = new String[256];

    /** Tools name themselves in User-Agent: one pass splits it into words that are looked up. */
    @Override
    public void inspect(Inspection request, int paranoia, List<Match> out) {
        String ua = request.header("user-agent");
        if (ua == null) return;
        int slot = ua.hashCode() & (cleanAgents.length - 1);
        if (ua.equals(cleanAgents[slot])) return; // browsers repeat theirs on every request
        if (!scan(ua, out) && ua.length() <= 512) cleanAgents[slot] = ua;
    }

    /** True (and a match added) when {@code ua} names a tool. */
    private static boolean scan(String ua, List<Match> out) {
        String lower = ua.toLowerCase(java.util.Locale.ROOT);
        int start = -1;
        for (int i = 0; i <= lower.length(); i++) {
            char c = i < lower.length() ? lower.charAt(i) : ' ';
            boolean word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
            if (word && start < 0) start = i;
            if (!word && start >= 0) {
                String token = lower.substring(start, i);
                if (TOOLS.contains(token)) {
                    out.add(new Match("SCAN-100", CRITICAL, "HEADER:user-agent", token));
                    return true;
                }
                start = -1;
            }
        }
        for (String p : PHRASES) {
            if (lower.contains(p)) {
                out.add(new Match("SCAN-100", CRITICAL, "HEADER:user-agent", p));
                return true;
            }
        }
        return false;
    }

    @Override
    public String prefix() {
        return "SCAN";
    }
}
