package io.requestflow.firewall;

import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.firewall.waf.AuditLog;
import io.requestflow.firewall.waf.BotSignals;
import io.requestflow.firewall.waf.Inspection;
import io.requestflow.firewall.waf.Match;
import io.requestflow.firewall.waf.Waf;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Runs the WAF rules and bot signals, adds up the anomaly score and, at or over the threshold, blocks
 * (403 naming an incident id, never the rules) or, in detect-only mode, lets the request through.
 * Every request a rule fired on goes to the audit log.
 */
public final class WafStage implements Stage {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Waf waf;
    private final BotSignals bots;
    private final AuditLog audit;

    public WafStage(Waf waf, AuditLog audit) {
        this.waf = waf;
        this.bots = new BotSignals(waf.config().botAllow());
        this.audit = audit;
    }

    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        Inspection inspection = waf.prepare(exchange.request());
        Waf.Verdict verdict = waf.inspect(inspection);
        List<Match> matches = verdict.matches();
        int score = verdict.score();
        Double share = exchange.attribute(RateLimitStage.SHARE);
        List<Match> botMatches = new ArrayList<>();
        bots.inspect(inspection, waf.config().paranoiaLevel(), share == null ? 0 : share, botMatches);
        if (!botMatches.isEmpty()) {
            matches = new ArrayList<>(matches);
            matches.addAll(botMatches);
            for (Match m : botMatches) score += m.severity().score;
        }
        if (matches.isEmpty()) return next.proceed(exchange);
        boolean over = score >= waf.config().inboundThreshold();
        boolean block = over && waf.config().blocking();
        String incident = over ? newIncidentId() : null;
        InetAddress client = exchange.attribute(ClientAddressStage.CLIENT);
        audit.record(client == null ? null : client.getHostAddress(), exchange.requestId(), incident,
                exchange.request().method(), exchange.request().uri(), matches, score,
                block ? "block" : over ? "detect" : "pass");
        exchange.span().setAttribute("requestflow.waf.score", score);
        if (!block) {
            if (over) exchange.describe("WAF_DETECT");
            return next.proceed(exchange);
        }
        exchange.describe("WAF_BLOCK");
        return Stage.answer(blocked(incident, exchange.requestId()));
    }

    /** The client learns that it was blocked and what to quote, nothing about which rule fired. */
    static Response blocked(String incident, String requestId) {
        return Problem.of(403, "Forbidden", "The firewall refused this request. If you believe this is a mistake,"
                + " contact support and quote the incident id.", Map.of("incidentId", incident, "requestId", requestId));
    }

    static String newIncidentId() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return "fw-" + HexFormat.of().formatHex(b);
    }
}
