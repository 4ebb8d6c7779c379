package io.requestflow.firewall.waf;

/**
 * One rule that fired.
 *
 * @param ruleId   stable id, for example {@code SQLI-100}
 * @param location the part of the request it fired on, for example {@code ARGS:q}
 * @param evidence a short excerpt of what matched (audit log only, never sent to the client)
 */
public record Match(String ruleId, Severity severity, String location, String evidence) {

    public String family() {
        int dash = ruleId.indexOf('-');
        return dash < 0 ? ruleId : ruleId.substring(0, dash);
    }
}
