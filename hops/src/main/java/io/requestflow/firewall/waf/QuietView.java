package io.requestflow.firewall.waf;

import java.util.function.UnaryOperator;

/**
 * A rule's view with the characters it reacts to: a value that has none of them reads the same through the view,
 * so {@link Target#view} answers the value itself from the value's character mask, without running the view or
 * keeping its result. The characters are the view's own business (stated beside each view, with why), and
 * ViewTriggersTest checks the claim for every such view the rules use over both corpora and fuzzed values.
 */
public final class QuietView implements UnaryOperator<String> {
    private final UnaryOperator<String> view;
    private final long lo;
    private final long hi;
    private final boolean nonAscii;

    /**
     * @param triggers ASCII characters without which the view returns its input unchanged
     * @param nonAscii true when some non-ASCII character can change the view too (then a value with any
     *                 non-ASCII character is run through the view)
     */
    public QuietView(String triggers, boolean nonAscii, UnaryOperator<String> view) {
        long[] m = Target.maskOf(triggers);
        for (int i = 0; i < triggers.length(); i++) {
            if (triggers.charAt(i) >= 128) throw new IllegalArgumentException("triggers are ASCII: " + triggers);
        }
        this.lo = m[0];
        this.hi = m[1];
        this.nonAscii = nonAscii;
        this.view = view;
    }

    @Override
    public String apply(String s) {
        return view.apply(s);
    }

    /** The view itself. */
    public UnaryOperator<String> view() {
        return view;
    }

    /** True when a value with these ASCII characters (and non-ASCII ones or not) reads the same through the view. */
    public boolean leaves(long valueLo, long valueHi, boolean valueHasNonAscii) {
        return (valueLo & lo) == 0 && (valueHi & hi) == 0 && !(nonAscii && valueHasNonAscii);
    }
}
