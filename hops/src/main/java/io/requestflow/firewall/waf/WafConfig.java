package io.requestflow.firewall.waf;

import java.util.List;

/**
 * The WAF's settings.
 *
 * @param mode              {@code block} answers 403 at or over the threshold; {@code detect} only logs
 * @param paranoiaLevel     1-4: higher levels run more rules and catch more, with more false positives
 * @param inboundThreshold  anomaly score at which a request is blocked (a critical match scores 5)
 * @param maxArgs           arguments inspected per request; more is itself a violation
 * @param maxArgNameLength  longer argument names are a violation
 * @param maxArgLength      longer argument values are a violation
 * @param maxTotalArgLength all argument names and values together
 * @param auditLog          JSON-lines audit file, relative to the data directory; empty for none
 * @param exclusions        per-route exceptions for fields that legitimately carry such text
 * @param botAllow          User-Agent substrings of known good clients: no bot signals for them
 * @param cleanHeaderMemo   free-text header values (User-Agent, Referer, ...) remembered as clean after a
 *                          request in which no rule matched, so their checks are not run again: slots in a
 *                          fixed table (see {@link CleanValueMemo}); 0 turns it off
 * @param cleanValueMemo    the same for every other value a request is taken apart into (arguments and
 *                          their names, cookies and their names, the path, the target, a raw body): a clean
 *                          value's own checks are not run again (request-level checks still see it); 0: off
 */
public record WafConfig(String mode, int paranoiaLevel, int inboundThreshold, int maxArgs, int maxArgNameLength,
                        int maxArgLength, int maxTotalArgLength, String auditLog, List<Exclusion> exclusions,
                        List<String> botAllow, int cleanHeaderMemo, int cleanValueMemo) {

    /** Default slots of the clean-header memo: a few thousand User-Agent/Referer values of 512 chars at most. */
    public static final int DEFAULT_CLEAN_HEADER_MEMO = 4096;
    /** Default slots of the clean-value memo: argument, cookie and path values of 512 chars at most. */
    public static final int DEFAULT_CLEAN_VALUE_MEMO = 4096;

    /** The settings with the clean-header memo at its default. */
    public WafConfig(String mode, int paranoiaLevel, int inboundThreshold, int maxArgs, int maxArgNameLength,
                     int maxArgLength, int maxTotalArgLength, String auditLog, List<Exclusion> exclusions,
                     List<String> botAllow) {
        this(mode, paranoiaLevel, inboundThreshold, maxArgs, maxArgNameLength, maxArgLength, maxTotalArgLength,
                auditLog, exclusions, botAllow, DEFAULT_CLEAN_HEADER_MEMO, DEFAULT_CLEAN_VALUE_MEMO);
    }

    /**
     * Rules a route does not run.
     *
     * @param pathPrefix where it applies (decoded, dot segments resolved)
     * @param rules      rule ids or family prefixes ({@code SQLI-100}, {@code XSS})
     * @param fields     argument, cookie or header names it applies to; empty for the whole request
     */
    public record Exclusion(String pathPrefix, List<String> rules, List<String> fields) {
        public Exclusion {
            fields = fields == null ? List.of() : fields;
            rules = rules == null ? List.of() : rules;
        }

        boolean covers(String path, Match m) {
            if (!path.startsWith(pathPrefix)) return false;
            boolean rule = rules.isEmpty() || rules.stream().anyMatch(r -> m.ruleId().equals(r)
                    || m.ruleId().startsWith(r + "-"));
            if (!rule) return false;
            if (fields.isEmpty()) return true;
            int colon = m.location().indexOf(':');
            String field = colon < 0 ? "" : m.location().substring(colon + 1);
            return fields.contains(field);
        }
    }

    public static WafConfig defaults() {
        return new WafConfig("block", 1, 5, 255, 100, 8000, 64000, "firewall/audit.jsonl", List.of(),
                List.of("Googlebot", "bingbot", "Requestflow"), DEFAULT_CLEAN_HEADER_MEMO,
                DEFAULT_CLEAN_VALUE_MEMO);
    }

    public boolean blocking() {
        return !"detect".equalsIgnoreCase(mode);
    }

    public WafConfig withParanoia(int level) {
        return new WafConfig(mode, level, inboundThreshold, maxArgs, maxArgNameLength, maxArgLength,
                maxTotalArgLength, auditLog, exclusions, botAllow, cleanHeaderMemo, cleanValueMemo);
    }

    public WafConfig withMode(String newMode) {
        return new WafConfig(newMode, paranoiaLevel, inboundThreshold, maxArgs, maxArgNameLength, maxArgLength,
                maxTotalArgLength, auditLog, exclusions, botAllow, cleanHeaderMemo, cleanValueMemo);
    }

    public WafConfig withLimits(int args, int nameLength, int argLength, int totalLength) {
        return new WafConfig(mode, paranoiaLevel, inboundThreshold, args, nameLength, argLength, totalLength,
                auditLog, exclusions, botAllow, cleanHeaderMemo, cleanValueMemo);
    }

    public WafConfig withAuditLog(String path) {
        return new WafConfig(mode, paranoiaLevel, inboundThreshold, maxArgs, maxArgNameLength, maxArgLength,
                maxTotalArgLength, path, exclusions, botAllow, cleanHeaderMemo, cleanValueMemo);
    }

    public WafConfig withExclusions(List<Exclusion> list) {
        return new WafConfig(mode, paranoiaLevel, inboundThreshold, maxArgs, maxArgNameLength, maxArgLength,
                maxTotalArgLength, auditLog, list, botAllow, cleanHeaderMemo, cleanValueMemo);
    }

    public WafConfig withCleanHeaderMemo(int entries) {
        return new WafConfig(mode, paranoiaLevel, inboundThreshold, maxArgs, maxArgNameLength, maxArgLength,
                maxTotalArgLength, auditLog, exclusions, botAllow, entries, cleanValueMemo);
    }

    public WafConfig withCleanValueMemo(int entries) {
        return new WafConfig(mode, paranoiaLevel, inboundThreshold, maxArgs, maxArgNameLength, maxArgLength,
                maxTotalArgLength, auditLog, exclusions, botAllow, cleanHeaderMemo, entries);
    }

    /** Fails fast on settings that cannot work, with the setting's name in the message. */
    public WafConfig validated() {
        if (paranoiaLevel < 1 || paranoiaLevel > 4) {
            throw new IllegalArgumentException("firewall.waf.paranoiaLevel must be 1-4, not " + paranoiaLevel);
        }
        if (inboundThreshold < 1) throw new IllegalArgumentException("firewall.waf.inboundThreshold must be >= 1");
        if (cleanHeaderMemo < 0 || cleanHeaderMemo > 1 << 20) {
            throw new IllegalArgumentException("firewall.waf.cleanHeaderMemo must be 0-1048576, not " + cleanHeaderMemo);
        }
        if (cleanValueMemo < 0 || cleanValueMemo > 1 << 20) {
            throw new IllegalArgumentException("firewall.waf.cleanValueMemo must be 0-1048576, not " + cleanValueMemo);
        }
        if (!mode.equalsIgnoreCase("block") && !mode.equalsIgnoreCase("detect")) {
            throw new IllegalArgumentException("firewall.waf.mode must be block or detect, not " + mode);
        }
        return this;
    }
}
