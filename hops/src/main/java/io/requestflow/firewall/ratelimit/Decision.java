package io.requestflow.firewall.ratelimit;

/**
 * The answer for one request.
 *
 * @param estimate          the client's sliding-window request count including this one
 * @param limit             the configured limit
 * @param retryAfterSeconds when refused, how long until the window has room again
 * @param source            {@code redis} or {@code local} (the fallback)
 */
public record Decision(boolean allowed, double estimate, int limit, long retryAfterSeconds, String source) {

    /** Share of the limit used, for the bot signal. */
    public double share() {
        return limit <= 0 ? 0 : estimate / limit;
    }
}
