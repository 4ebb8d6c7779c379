package io.requestflow.cli.load;

import java.util.SplittableRandom;

/**
 * Draws ids 1..n with probability proportional to 1/rank^s (Zipf), so a few products get most of the
 * traffic the way real catalogs do and caches see realistic skew. The cumulative table costs n doubles;
 * each draw is a binary search.
 */
public final class Zipf {
    private final double[] cumulative;

    public Zipf(int n, double exponent) {
        if (n < 1) throw new IllegalArgumentException("Zipf needs n >= 1");
        cumulative = new double[n];
        double sum = 0;
        for (int k = 1; k <= n; k++) {
            sum += 1 / Math.pow(k, exponent);
            cumulative[k - 1] = sum;
        }
        for (int i = 0; i < n; i++) cumulative[i] /= sum;
    }

    /** An id in 1..n; id 1 is the most popular. */
    public int next(SplittableRandom random) {
        double u = random.nextDouble();
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] < u) lo = mid + 1;
            else hi = mid;
        }
        return lo + 1;
    }

    /** The probability of id {@code k}. */
    public double probability(int k) {
        return cumulative[k - 1] - (k > 1 ? cumulative[k - 2] : 0);
    }
}
