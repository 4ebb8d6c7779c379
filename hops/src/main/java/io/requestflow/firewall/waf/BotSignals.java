package io.requestflow.firewall.waf;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Signals that a client is an automated one: no or a scripted User-Agent, a browser User-Agent without
 * the headers browsers always send, and a request rate close to the limit. Each adds a little to the
 * anomaly score; together, or with a rule match, they tip a request over. Allow-listed clients get none.
 */
public final class BotSignals {
    private static final Pattern SCRIPTED = Pattern.compile("(?i)^(?:curl|wget|python-requests|python-urllib|"
            + "python-httpx|go-http-client|libwww-perl|lwp::|java/|okhttp|apache-httpclient|axios|node-fetch|"
            + "aiohttp|scrapy|php/|ruby|powershell|httpie|winhttp|mechanize|guzzlehttp|restsharp)");

    private final List<String> allow;

    public BotSignals(List<String> allow) {
        this.allow = allow.stream().map(a -> a.toLowerCase(Locale.ROOT)).toList();
    }

    /**
     * @param rateShare the client's share of its rate limit used in the current window (0..1+)
     */
    public void inspect(Inspection request, int paranoia, double rateShare, List<Match> out) {
        String ua = request.header("user-agent");
        if (ua != null && !allow.isEmpty()) {
            String lower = ua.toLowerCase(Locale.ROOT);
            for (String a : allow) if (lower.contains(a)) return;
        }
        if (ua == null || ua.isBlank()) {
            out.add(new Match("BOT-100", Severity.NOTICE, "HEADER:user-agent", ua == null ? "missing" : "empty"));
        } else if (paranoia >= 2 && SCRIPTED.matcher(ua).find()) {
            out.add(new Match("BOT-110", Severity.NOTICE, "HEADER:user-agent", "scripted client"));
        } else if (paranoia >= 2 && ua.startsWith("Mozilla/") && request.header("accept-language") == null
                && request.header("accept") == null) {
            out.add(new Match("BOT-120", Severity.NOTICE, "HEADER:accept", "browser without browser headers"));
        }
        if (rateShare >= 0.5) {
            out.add(new Match("BOT-130", Severity.WARNING, "CLIENT", "request rate near the limit"));
        }
    }
}
