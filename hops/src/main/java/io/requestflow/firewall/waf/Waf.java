package io.requestflow.firewall.waf;

import io.requestflow.engine.http.Request;
import io.requestflow.firewall.waf.rules.CommandInjectionRules;
import io.requestflow.firewall.waf.rules.GenericRules;
import io.requestflow.firewall.waf.rules.JavaRules;
import io.requestflow.firewall.waf.rules.PatternFamily;
import io.requestflow.firewall.waf.rules.PhpRules;
import io.requestflow.firewall.waf.rules.ProtocolRules;
import io.requestflow.firewall.waf.rules.RfiRules;
import io.requestflow.firewall.waf.rules.ScannerRules;
import io.requestflow.firewall.waf.rules.SessionFixationRules;
import io.requestflow.firewall.waf.rules.SqliRules;
import io.requestflow.firewall.waf.rules.TraversalRules;
import io.requestflow.firewall.waf.rules.XssRules;

import java.util.ArrayList;
import java.util.List;

/** The rule families and the anomaly score: inspects a request and says what fired and how much it adds up to. */
public final class Waf {
    private final WafConfig config;
    private final List<RuleFamily> families;
    private final CleanValueMemo cleanHeaders;
    private final CleanValueMemo cleanValues;
    private final CleanPairMemo cleanPairs;
    private final CleanPairMemo refererPairs;
    /** How targets are split into pieces the memo can know, or null when the rules forbid it. */
    private final UriPieces uriPieces;

    public Waf(WafConfig config) {
        this.config = config.validated();
        this.families = List.of(new ProtocolRules(config), new ScannerRules(), new TraversalRules(), new RfiRules(),
                new CommandInjectionRules(), new PhpRules(), new GenericRules(), new XssRules(), new SqliRules(),
                new SessionFixationRules(), new JavaRules());
        PatternFamily.shareLiterals(families);
        this.cleanHeaders = new CleanValueMemo(this.config.cleanHeaderMemo());
        this.cleanValues = new CleanValueMemo(this.config.cleanValueMemo());
        this.cleanPairs = new CleanPairMemo(this.config.cleanValueMemo());
        this.refererPairs = new CleanPairMemo(this.config.cleanHeaderMemo());
        this.uriPieces = UriPieces.of(families);
    }

    /**
     * The request taken apart for {@link #inspect(Inspection)}, leaving out header values known to be clean
     * and marking the other values known to be clean.
     */
    public Inspection prepare(Request request) {
        return new Inspection(request, config.maxArgs(), cleanHeaders, cleanValues, uriPieces, cleanPairs, refererPairs);
    }

    /** The rule families, in the order they run. */
    public List<RuleFamily> families() {
        return families;
    }

    public WafConfig config() {
        return config;
    }

    /** @param score sum of the matches' severities */
    public record Verdict(List<Match> matches, int score) {}

    /** Takes the request apart, runs every family at the configured level, drops excluded matches. */
    public Verdict inspect(Request request) {
        return inspect(prepare(request));
    }

    public Verdict inspect(Inspection inspection) {
        List<Match> matches = new ArrayList<>();
        for (RuleFamily family : families) {
            family.inspect(inspection, config.paranoiaLevel(), matches);
        }
        if (matches.isEmpty() && (cleanHeaders.enabled() || cleanValues.enabled())) {
            // nothing fired anywhere, so no check on any target found anything either
            for (Target t : inspection.fresh()) { // a known-clean value is remembered already (headers never are)
                if (t.kind() == Target.Kind.HEADER) cleanHeaders.rememberClean(t.kind(), t.name(), t.raw());
                // a target, whole or a piece, is remembered only without what a gate needs, so a remembered one
                // can stand for a piece (UriPieces)
                else if (t.kind() != Target.Kind.URI || uriPieces == null || uriPieces.gateFree(t)) {
                    cleanValues.rememberClean(t.kind(), t.name(), t.raw());
                }
            }
            inspection.rememberPairs();
        }
        if (!config.exclusions().isEmpty()) {
            matches.removeIf(m -> config.exclusions().stream().anyMatch(e -> e.covers(inspection.path(), m)));
        }
        int score = 0;
        for (Match m : matches) score += m.severity().score;
        return new Verdict(matches, score);
    }
}
