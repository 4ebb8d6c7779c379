package io.requestflow.firewall.waf;

import java.util.List;

/**
 * One family of detection rules (SQL injection, XSS, ...). Families are thread-safe and keep no state
 * between requests beyond bounded caches of verdicts that depend on nothing but the value they are about.
 */
public interface RuleFamily {

    /** Short upper-case prefix of the family's rule ids, for example {@code SQLI}. */
    String prefix();

    /** Adds a {@link Match} to {@code out} for every rule at or below {@code paranoia} that fires. */
    void inspect(Inspection request, int paranoia, List<Match> out);
}
