package io.sluice.bench.report;

import java.util.Arrays;

/**
 * Latency percentiles by the nearest-rank method: the p-th percentile is the smallest sample that at least p% of
 * the samples do not exceed, so it is always a measured value (no interpolation between two samples).
 *
 * @param p50     median
 * @param p95     95th percentile
 * @param p99     99th percentile
 * @param max     largest sample
 * @param samples how many samples; 0 when there were none, and then the other fields are NaN
 */
public record Percentiles(double p50, double p95, double p99, double max, int samples) {

    public static final Percentiles NONE = new Percentiles(Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0);

    public static Percentiles of(double[] samples) {
        if (samples.length == 0) {
            return NONE;
        }
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        return new Percentiles(rank(sorted, 50), rank(sorted, 95), rank(sorted, 99), sorted[sorted.length - 1],
                sorted.length);
    }

    /** The nearest-rank percentile of ascending {@code sorted}. */
    static double rank(double[] sorted, double percent) {
        if (percent <= 0 || percent > 100) {
            throw new IllegalArgumentException("percentile must be in (0, 100]: " + percent);
        }
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }
}
