package io.requestflow.console;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each instance's traffic between two looks at its Prometheus {@code /metrics}: requests per second, 5xx per
 * second and the 99th percentile from the {@code requestflow_requests_seconds} histogram's bucket counts (the
 * upper bound of the bucket it falls in, so an estimate no lower than the truth). Looks closer together than
 * a second keep the previous figures, so several open pages do not turn them into noise.
 */
final class HopRates {
    private static final String COUNT = "requestflow_requests_seconds_count{";
    private static final String BUCKET = "requestflow_requests_seconds_bucket{";
    private static final long MIN_INTERVAL_NANOS = 1_000_000_000L;

    /** Figures over the last interval; {@code p99Ms} is null when no request ended in it. */
    record Rates(double perSecond, double serverErrorsPerSecond, Double p99Ms) {}

    private record Totals(long atNanos, double count, double serverErrors, TreeMap<Double, Double> buckets) {}

    private record State(Totals totals, Rates rates) {}

    private final Map<String, State> states = new ConcurrentHashMap<>();

    /** The instance's rates as of this scrape, or null until there are two scrapes a second or more apart. */
    Rates update(String instance, String metrics, long nowNanos) {
        State next = states.compute(instance, (name, previous) -> {
            if (previous != null && nowNanos - previous.totals().atNanos() < MIN_INTERVAL_NANOS) return previous;
            Totals now = parse(metrics, nowNanos);
            return new State(now, previous == null ? null : rates(previous.totals(), now));
        });
        return next.rates();
    }

    private static Rates rates(Totals before, Totals after) {
        double seconds = (after.atNanos() - before.atNanos()) / 1e9;
        double requests = Math.max(0, after.count() - before.count());
        double errors = Math.max(0, after.serverErrors() - before.serverErrors());
        Double p99 = null;
        if (requests > 0) {
            double wanted = requests * 0.99;
            for (Map.Entry<Double, Double> bucket : after.buckets().entrySet()) {
                double ended = bucket.getValue() - before.buckets().getOrDefault(bucket.getKey(), 0.0);
                if (ended >= wanted) {
                    p99 = bucket.getKey().isInfinite() ? null : bucket.getKey() * 1000;
                    break;
                }
            }
        }
        return new Rates(requests / seconds, errors / seconds, p99);
    }

    /** The request count, 5xx count and cumulative bucket counts, summed over the statuses. */
    private static Totals parse(String metrics, long atNanos) {
        double count = 0;
        double serverErrors = 0;
        TreeMap<Double, Double> buckets = new TreeMap<>();
        for (String line : metrics.split("\n")) {
            boolean isCount = line.startsWith(COUNT);
            boolean isBucket = !isCount && line.startsWith(BUCKET);
            if (!isCount && !isBucket) continue;
            int end = line.lastIndexOf('}');
            double value;
            try {
                value = Double.parseDouble(line.substring(end + 1).trim());
            } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                continue; // not a sample line we understand
            }
            String labels = line.substring(0, end);
            if (isCount) {
                count += value;
                if (labels.contains("status=\"5")) serverErrors += value;
            } else {
                int le = labels.indexOf("le=\"");
                if (le < 0) continue;
                String bound = labels.substring(le + 4, Math.max(le + 4, labels.indexOf('"', le + 4)));
                try {
                    double upper = bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound);
                    buckets.merge(upper, value, Double::sum);
                } catch (NumberFormatException notABound) {
                    // skip it
                }
            }
        }
        return new Totals(atNanos, count, serverErrors, buckets);
    }
}
