package io.requestflow.firewall.waf.rules;

import java.util.function.UnaryOperator;

/**
 * A rule's view that changes only values containing {@code trigger} and returns every other value as it is,
 * by construction: so a value without the trigger reads the same through the view as without it (what
 * {@code UriPieces} relies on to reason about the pieces of a target instead of the whole).
 */
public record Triggered(String trigger, UnaryOperator<String> change) implements UnaryOperator<String> {
    @Override
    public String apply(String s) {
        return s.contains(trigger) ? change.apply(s) : s;
    }
}
