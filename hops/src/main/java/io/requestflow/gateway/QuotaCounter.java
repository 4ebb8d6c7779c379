package io.requestflow.gateway;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CompletableFuture;

/**
 * Daily and monthly request quotas of API keys, counted in Redis per UTC calendar day and month: the
 * counter's key names the period, so a quota resets when the period changes. Each counter expires a
 * little after its period ends.
 */
public final class QuotaCounter {
    /** {@code exceeded} names the period that ran out ({@code day} or {@code month}); null when within quota. */
    public record Usage(String exceeded, long retryAfterSeconds, boolean counted) {}

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyyMM");

    private final GatewayRedis redis;
    private final Clock clock;

    public QuotaCounter(GatewayRedis redis, Clock clock) {
        this.redis = redis;
        this.clock = clock;
    }

    /** Counts one request for {@code keyId} against the plan's quotas. */
    public CompletableFuture<Usage> count(String keyId, GatewayConfig.Plan plan) {
        if (plan.dailyQuota() <= 0 && plan.monthlyQuota() <= 0) return CompletableFuture.completedFuture(new Usage(null, 0, false));
        if (redis == null || !redis.usable()) return CompletableFuture.completedFuture(new Usage(null, 0, false));
        ZonedDateTime now = ZonedDateTime.now(clock.withZone(ZoneOffset.UTC));
        LocalDate today = now.toLocalDate();
        long toNextDay = seconds(now, today.plusDays(1).atStartOfDay(ZoneOffset.UTC));
        long toNextMonth = seconds(now, today.withDayOfMonth(1).plusMonths(1).atStartOfDay(ZoneOffset.UTC));
        String dayKey = "quota:" + keyId + ":d:" + DAY.format(today);
        String monthKey = "quota:" + keyId + ":m:" + MONTH.format(today);
        var day = redis.call(c -> c.incr(dayKey));
        var month = redis.call(c -> c.incr(monthKey));
        return day.thenCombine(month, (d, m) -> {
            redis.succeeded();
            if (d == 1) redis.call(c -> c.expire(dayKey, toNextDay + 3600));
            if (m == 1) redis.call(c -> c.expire(monthKey, toNextMonth + 3600));
            if (plan.dailyQuota() > 0 && d > plan.dailyQuota()) return new Usage("day", toNextDay, true);
            if (plan.monthlyQuota() > 0 && m > plan.monthlyQuota()) return new Usage("month", toNextMonth, true);
            return new Usage(null, 0, true);
        }).exceptionally(error -> {
            redis.failed(error);
            return new Usage(null, 0, false);
        });
    }

    private static long seconds(ZonedDateTime from, ZonedDateTime to) {
        return Math.max(1, java.time.Duration.between(from, to).toSeconds());
    }
}
