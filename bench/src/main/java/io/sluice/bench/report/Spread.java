package io.sluice.bench.report;

import java.util.Arrays;
import java.util.Collection;

/**
 * The median of repeated measurements and their range, which is how every figure is reported: the machine is noisy,
 * so one run says little and the mean is pulled by outliers.
 *
 * @param median the middle value (the mean of the two middle values for an even count)
 * @param min    the smallest value
 * @param max    the largest value
 * @param count  how many values; 0 when there were none, and then the other fields are NaN
 */
public record Spread(double median, double min, double max, int count) {

    public static final Spread NONE = new Spread(Double.NaN, Double.NaN, Double.NaN, 0);

    /** The spread of the finite values; NaN values (a figure a run could not measure) are left out. */
    public static Spread of(Collection<Double> values) {
        double[] sorted = values.stream().filter(v -> v != null && !v.isNaN()).mapToDouble(Double::doubleValue)
                .sorted().toArray();
        if (sorted.length == 0) {
            return NONE;
        }
        int middle = sorted.length / 2;
        double median = sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new Spread(median, sorted[0], sorted[sorted.length - 1], sorted.length);
    }

    public static Spread of(double... values) {
        return of(Arrays.stream(values).boxed().toList());
    }

    public boolean isEmpty() {
        return count == 0;
    }
}
