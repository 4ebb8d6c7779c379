package io.requestflow.engine.fault;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What is wrong with a hop instance on purpose, and until when: extra latency (a fixed part plus up to
 * {@code jitterMs} at random), a share of requests answered with an error status, and a failing /readyz.
 * Every plan expires, so a fault nobody remembers to heal cannot outlive {@code untilMillis}.
 */
public record FaultPlan(long latencyMs, long jitterMs, int errorStatus, int errorPercent, boolean unready,
                        long untilMillis, int resetPercent) {
    /** The longest a fault may last; {@code ./flow break --for} defaults to five minutes. */
    public static final long MAX_DURATION_MS = 24L * 60 * 60 * 1000;

    public FaultPlan {
        if (latencyMs < 0 || latencyMs > 600_000) throw new IllegalArgumentException("latencyMs must be 0..600000");
        if (jitterMs < 0 || jitterMs > 600_000) throw new IllegalArgumentException("jitterMs must be 0..600000");
        if (errorPercent < 0 || errorPercent > 100) throw new IllegalArgumentException("percent must be 0..100");
        if (errorPercent > 0 && (errorStatus < 400 || errorStatus > 599)) {
            throw new IllegalArgumentException("errorStatus must be 400..599");
        }
        if (resetPercent < 0 || resetPercent > 100) throw new IllegalArgumentException("resetPercent must be 0..100");
        if (errorPercent + resetPercent > 100) {
            throw new IllegalArgumentException("percent and resetPercent together must be at most 100");
        }
        if (latencyMs == 0 && jitterMs == 0 && errorPercent == 0 && !unready && resetPercent == 0) {
            throw new IllegalArgumentException("nothing to inject: give latencyMs, jitterMs, errorStatus (with"
                    + " percent, default 100), resetPercent or unready=true");
        }
    }

    /** Without connection resets. */
    public FaultPlan(long latencyMs, long jitterMs, int errorStatus, int errorPercent, boolean unready, long untilMillis) {
        this(latencyMs, jitterMs, errorStatus, errorPercent, unready, untilMillis, 0);
    }

    boolean expired(long nowMillis) {
        return nowMillis >= untilMillis;
    }

    /** What happens to this request: one draw decides, so the error and reset shares do not overlap. */
    public enum Fate { PASS, FAIL, RESET }

    public Fate fateNow(java.util.concurrent.ThreadLocalRandom random) {
        if (errorPercent == 0 && resetPercent == 0) return Fate.PASS;
        int draw = random.nextInt(100);
        if (draw < errorPercent) return Fate.FAIL;
        if (draw < errorPercent + resetPercent) return Fate.RESET;
        return Fate.PASS;
    }

    /** This request's delay: the fixed part plus up to {@code jitterMs} at random (0: none). */
    public long delayNowMs(java.util.concurrent.ThreadLocalRandom random) {
        return latencyMs + (jitterMs > 0 ? random.nextLong(jitterMs + 1) : 0);
    }

    /** As JSON for the admin endpoint and the CLI. */
    Map<String, Object> describe(long nowMillis) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (latencyMs > 0 || jitterMs > 0) {
            m.put("latencyMs", latencyMs);
            m.put("jitterMs", jitterMs);
        }
        if (errorPercent > 0) {
            m.put("errorStatus", errorStatus);
            m.put("errorPercent", errorPercent);
        }
        if (resetPercent > 0) m.put("resetPercent", resetPercent);
        if (unready) m.put("unready", true);
        m.put("secondsLeft", Math.max(0, (untilMillis - nowMillis + 999) / 1000));
        return m;
    }
}
