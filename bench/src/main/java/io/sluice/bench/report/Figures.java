package io.sluice.bench.report;

import java.util.Locale;

/** How figures are written in the table: fixed formats, so that runs compare line by line. */
public final class Figures {
    private static final String NONE = "-";

    private Figures() {
    }

    /** A rate, e.g. {@code 52,300}; thousands separated, no decimals. */
    public static String rate(double perSecond) {
        return Double.isNaN(perSecond) ? NONE : String.format(Locale.ROOT, "%,.0f", perSecond);
    }

    /** A median with its range, e.g. {@code 52,300 (50,100-55,000)}; just the median for a single run. */
    public static String rate(Spread spread) {
        if (spread.isEmpty()) {
            return NONE;
        }
        if (spread.count() == 1) {
            return rate(spread.median());
        }
        return rate(spread.median()) + " (" + rate(spread.min()) + "-" + rate(spread.max()) + ")";
    }

    /** A share of the ceiling, e.g. {@code 22.6%}. */
    public static String ratio(double value, double ceiling) {
        if (Double.isNaN(value) || Double.isNaN(ceiling) || ceiling <= 0) {
            return NONE;
        }
        return String.format(Locale.ROOT, "%.1f%%", 100 * value / ceiling);
    }

    /** Milliseconds with one decimal, e.g. {@code 12.5}. */
    public static String millis(double millis) {
        return Double.isNaN(millis) ? NONE : String.format(Locale.ROOT, "%.1f", millis);
    }

    /** A median of milliseconds with its range, e.g. {@code 80.1 (75.0-99.2)}. */
    public static String millis(Spread spread) {
        if (spread.isEmpty()) {
            return NONE;
        }
        if (spread.count() == 1) {
            return millis(spread.median());
        }
        return millis(spread.median()) + " (" + millis(spread.min()) + "-" + millis(spread.max()) + ")";
    }

    /** Seconds with one decimal, e.g. {@code 3.2}. */
    public static String seconds(double seconds) {
        return Double.isNaN(seconds) ? NONE : String.format(Locale.ROOT, "%.1f", seconds);
    }

    /** Bytes as whole MiB, e.g. {@code 412}. */
    public static String mebibytes(double bytes) {
        return Double.isNaN(bytes) || bytes < 0 ? NONE : String.format(Locale.ROOT, "%.0f", bytes / (1024 * 1024));
    }

    /** Microseconds per event with one decimal, e.g. {@code 35.2}. */
    public static String micros(double micros) {
        return Double.isNaN(micros) ? NONE : String.format(Locale.ROOT, "%.1f", micros);
    }
}
